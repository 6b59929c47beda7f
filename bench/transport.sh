#!/usr/bin/env bash
# Transport capacity: STREAMS x FPS through the server with no detector (decode-free path).
# Targets at 1,000 x 15: >= 14,500 results/s, p99 <= 50 ms, no failed connections.
# REDIS=1: the same with a redis-server on this machine (--redis), reporting the Redis ops/s and CPU it took.
# SERVER_ARGS: more server settings, e.g. SERVER_ARGS="--results.maxLen 0".
# FLOOR=1: the same load against `jettysink` (bench/src/main/java/io/framewire/bench/JettySink.java), a minimal Jetty sink, instead
# of framewire: what the blocking-loop design adds is the difference. FLOOR_ARGS="65536 vt": the sink
# with framewire's Jetty settings (64 KiB read buffer, reads on virtual threads); empty: Jetty's defaults.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STREAMS=${STREAMS:-1000}
FPS=${FPS:-15}
DURATION=${DURATION:-60}
RAMP=${RAMP:-10}
WARMUP=${WARMUP:-5}
WORKERS=${WORKERS:-2}
TARGET_RPS=${TARGET_RPS:-$(awk -v s="$STREAMS" -v f="$FPS" 'BEGIN {printf "%d", 14500 * s * f / 15000}')}
TARGET_P99_MS=${TARGET_P99_MS:-50}

build_jar
ensure_frames
start_redis
if [[ ${FLOOR:-0} == 1 ]]; then
    # the floor: a minimal callback-style Jetty sink (the tools jar's jettysink), not framewire
    start_listener transport-floor "$JAVA" $SERVER_JAVA_OPTS -jar "$BENCH_JAR" jettysink "$PORT" ${FLOOR_ARGS:-}
else
    start_server transport-server --detector none --workers "$WORKERS" "${REDIS_ARGS[@]}" ${SERVER_ARGS:-}
fi
echo "server pid $SERVER_PID on :$PORT${REDIS_PID:+ with Redis on :$REDIS_PORT}; $STREAMS streams x $FPS fps, ${DURATION}s measured; --client $CLIENT" >&2

run_loadgen transport --source "$FRAMES" --streams "$STREAMS" --fps "$FPS" \
    --ramp "${RAMP}s" --warmup "${WARMUP}s" --duration "${DURATION}s"
J=$OUT/transport.json
if [[ -n ${REDIS_PID:-} ]]; then
    curl -s "http://127.0.0.1:$PORT/metrics" 2>/dev/null | grep -E '^framewire_redis_(errors_total|results_dropped_total|up|latency_seconds_(count|sum)) ' >"$OUT/transport.redis-metrics" || true
    REDIS_KEYS=$(redis-cli -p "$REDIS_PORT" dbsize); REDIS_MEM=$(redis_info memory used_memory_human)
fi
stop_server

jq -c . "$J"
jq -r '"results/s \(.results_per_s)  sent/s \(.frames_sent_per_s)  p50 \(.latency_ms.p50) ms  p99 \(.latency_ms.p99) ms  p99.9 \(.latency_ms.p99_9) ms  max \(.latency_ms.max) ms",
       "dropped \(.dropped) (\(.dropped_ratio))  errors \(.errors)  send_skipped \(.send_skipped)  jain \(.fairness.jain)",
       "connections: open \(.connections.open_at_window_start)/\(.connections.attempted)  failures \(.connections.connect_failures) \(.connections.connect_failure_reasons)  unexpected closes \(.connections.unexpected_closes) \(.connections.close_reasons)",
       "loadgen (\(.config.client)): self-reported \(.loadgen.cpu_s) CPU s in window, max send lag \(.loadgen.max_send_lag_ms) ms, frames skipped for lateness \(.loadgen.late_skipped)"' "$J"
read -r results sent < <(jq -r '"\(.results) \(.frames_sent)"' "$J")
# both from /proc (user+sys), sampled at the same moments
awk -v c="$SERVER_CPU_S" -v l="$LOADGEN_CPU_S" -v o="$OTHER_CPU_S" -v q="$IRQ_CPU_S" -v r="$results" -v s="$sent" -v d="$(jq .window_s "$J")" 'BEGIN {
    printf "server:  %.2f CPU s in window (%.2f cores), %.1f us CPU per result, %.1f us per frame received\n",
        c, c / d, (r ? c * 1e6 / r : 0), (s ? c * 1e6 / s : 0)
    printf "loadgen: %.2f CPU s in window (%.2f cores), %.1f us CPU per frame sent, %.1f us per result\n",
        l, l / d, (s ? l * 1e6 / s : 0), (r ? l * 1e6 / r : 0)
    printf "kernel irq/softirq (loopback stack, charged to neither): %.2f cores; other processes: %.2f cores%s\n",
        q / d, o / d, (o / d > 0.1 ? " (other load: numbers are not clean)" : "") }'
if [[ -n ${REDIS_PID:-} ]]; then
    awk -v c="$REDIS_CPU_S" -v n="$REDIS_COMMANDS" -v d="$(jq .window_s "$J")" -v r="$results" 'BEGIN {
        printf "redis:   %.0f commands/s (total_commands_processed delta over the window), %.2f cores, %.1f us Redis CPU per result\n",
            n / d, c / d, (r ? c * 1e6 / r : 0) }'
    sort -n "$OUT/transport.redis-ops" | awk '{v[NR] = $1} END {if (NR) printf "redis:   instantaneous_ops_per_sec median %d, max %d (sampled every second)\n", v[int((NR + 1) / 2)], v[NR]}'
    echo "redis:   $REDIS_KEYS keys, $REDIS_MEM used; server: $(tr '\n' ' ' <"$OUT/transport.redis-metrics")"
fi

rps=$(jq .results_per_s "$J"); p99=$(jq .latency_ms.p99 "$J")
fails=$(jq '.connections.connect_failures + .connections.unexpected_closes' "$J")
open=$(jq .connections.open_at_window_start "$J")
check "results/s >= $TARGET_RPS" "$(awk -v a="$rps" -v b="$TARGET_RPS" 'BEGIN {print (a >= b)}')" "$rps"
check "p99 <= $TARGET_P99_MS ms" "$(awk -v a="$p99" -v b="$TARGET_P99_MS" 'BEGIN {print (a <= b)}')" "$p99 ms"
check "no failed connections" "$(( fails == 0 && open == STREAMS ))" "open $open/$STREAMS, failures+closes $fails"
exit "$FAILED"

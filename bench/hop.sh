#!/usr/bin/env bash
# Issue 27: the reader -> worker -> writer hop. The same independent client (Node `ws`, bench/node/client.js)
# sends STREAMS x FPS of JPEGs to each server in turn, ROUNDS times, interleaved in one run:
#   before  framewire --detector none from BEFORE_JAR (e.g. main's jar; skipped when unset)
#   after   framewire --detector none from JAR (this checkout's, default target/framewire.jar)
#   jetty   the minimal Jetty 12 sink (BENCH_JAR's jettysink, framewire's Jetty settings: 65536 vt)
#   node    a Node `ws` sink (bench/node/sink.js)
# Prints per run: results/s, p50/p99/p99.9 (client-side, send -> answer), server CPU per frame, frames
# replaced, framewire's stage p99s (/metrics: framewire_frame_stage_seconds); then the medians of the
# per-round ratios and the "done when" bars of issue 27: after p99 <= 1.25 x jetty p99 + 10 ms, 0 frames
# replaced, CPU per frame <= 1.1 x jetty's.
# Env: PORT (default 18080), STREAMS (1000), FPS (15), RAMP (10 s), WARMUP (20 s), DURATION (30 s), ROUNDS (3),
# SERVERS ("before after jetty node"; any other NAME: framewire from the jar in $JAR_NAME), WORKERS (2).
# STRICT=1 (CI's smoke): exit 1 unless every run had every stream open, none failed or closed, and framewire replaced no frame.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=${PORT:-18080}
STREAMS=${STREAMS:-1000}
FPS=${FPS:-15}
RAMP=${RAMP:-10}
WARMUP=${WARMUP:-20}
DURATION=${DURATION:-30}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-2}
SERVERS=${SERVERS:-before after jetty node}
BEFORE_JAR=${BEFORE_JAR:-}
[[ -n $BEFORE_JAR ]] || SERVERS=${SERVERS//before/}
# shellcheck disable=SC2034  # read as ${!jar} in run_one
JAR_before=$BEFORE_JAR JAR_after=$JAR
command -v node >/dev/null || { echo "need node (Debian: nodejs)" >&2; exit 2; }
if [[ ! -d bench/node/node_modules/ws ]]; then
    (cd bench/node && npm ci --no-audit --no-fund >&2)
fi
build_jar
ensure_frames
TABLE=$OUT/hop.tsv
: >"$TABLE"

# hist_p99 METRICS NAME [STAGE] : the upper bound of the bucket of histogram NAME (its stage STAGE) holding the 99th percentile, in ms
hist_p99() {
    awk -v h="$2_bucket" -v s="${3:-}" -F'[{}" ]+' '$1 == h && (s == "" || $0 ~ "stage=\"" s "\"") {
            for (i = 2; i < NF; i++) if ($i ~ /le=$/) le = $(i + 1); n[++k] = $NF; b[k] = le }
        END { if (!k || n[k] == 0) { print "-"; exit } for (i = 1; i <= k; i++) if (n[i] >= 0.99 * n[k]) { print (b[i] == "+Inf" ? "inf" : b[i] * 1000); exit } }' "$1"
}
metric() { awk -v m="$2" '$1 == m {print $2; f = 1} END {if (!f) print 0}' "$1"; }

run_one() { # NAME ROUND
    local name=$1 round=$2 log=$OUT/hop-$1-$2
    local jar=JAR_$name
    case $name in
        jetty) start_listener "hop-$name" "$JAVA" $SERVER_JAVA_OPTS -jar "$BENCH_JAR" jettysink "$PORT" 65536 vt ;;
        node)  start_listener "hop-$name" node bench/node/sink.js "$PORT" ;;
        *)     start_listener "hop-$name" "$JAVA" $SERVER_JAVA_OPTS -jar "${!jar}" --port "$PORT" --detector none --workers "$WORKERS" \
                   --limits.maxConnectionsPerIp $((STREAMS + 100)) ;; # every stream comes from 127.0.0.1
    esac
    local load0 s0="" s1="" lines tick
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    : >"$log.err"
    node bench/node/client.js --url "ws://127.0.0.1:$PORT" --streams "$STREAMS" --fps "$FPS" --ramp "$RAMP" \
        --warmup "$WARMUP" --duration "$DURATION" --frames "$FRAMES" >"$log.json" 2>"$log.err" &
    local lg=$!
    PIDS+=("$lg")
    exec {tick}<> <(:)
    while kill -0 "$lg" 2>/dev/null; do
        mapfile -t lines <"$log.err"
        [[ -z $s0 && "${lines[*]}" == *"window started"* ]] && s0=$(cpu_seconds "$SERVER_PID")
        [[ -z $s1 && "${lines[*]}" == *"window ended"* ]] && s1=$(cpu_seconds "$SERVER_PID")
        read -rt 0.1 -u "$tick" _ || true
    done
    exec {tick}<&-
    wait "$lg" || { echo "client failed; see $log.err" >&2; tail -5 "$log.err" >&2; exit 1; }
    local replaced=- wait=- work=- write=- mbox=- queued=-
    if [[ $name != jetty && $name != node ]]; then
        curl -s "http://127.0.0.1:$PORT/metrics" >"$log.metrics" || true
        replaced=$(metric "$log.metrics" 'framewire_frames_dropped_total{reason="replaced"}')
        wait=$(hist_p99 "$log.metrics" framewire_frame_stage_seconds wait); work=$(hist_p99 "$log.metrics" framewire_frame_stage_seconds work)
        write=$(hist_p99 "$log.metrics" framewire_frame_stage_seconds write)
        mbox=$(hist_p99 "$log.metrics" framewire_mailbox_wait_seconds); queued=$(hist_p99 "$log.metrics" framewire_frame_latency_seconds)
    fi
    stop_server
    local cpu us
    cpu=$(awk -v a="${s0:-0}" -v b="${s1:-0}" 'BEGIN {printf "%.2f", b - a}')
    us=$(jq -r --arg c "$cpu" '($c | tonumber) * 1e6 / ([.frames_sent, 1] | max) | . * 10 | round / 10' "$log.json")
    jq -r --arg n "$name" --arg r "$round" --arg us "$us" --arg rep "$replaced" --arg l "$load0 -> $(cut -d' ' -f1-3 /proc/loadavg)" \
        --arg st "$wait/$work/$write" --arg old "$mbox/$queued" \
        '"\($r)\t\($n)\t\(.results_per_s)\t\(.latency_ms.p50)\t\(.latency_ms.p99)\t\(.latency_ms.p99_9)\t\($us)\t\($rep)\t\($st)\t\($old)\t\(.connections.open_at_window_start)/\(.connections.connect_failures)/\(.connections.unexpected_closes)\t\(.send_skipped)\t\($l)"' \
        "$log.json" | tee -a "$TABLE"
}

echo "$STREAMS streams x $FPS fps, ${WARMUP}s warm-up, ${DURATION}s window, $ROUNDS rounds of: $SERVERS; client node ws $(node -p 'require("./bench/node/node_modules/ws/package.json").version'); $(nproc) cores" >&2
printf 'round\tserver\tresults/s\tp50ms\tp99ms\tp99.9ms\tcpu_us/frame\treplaced\tstage_p99_ms(wait/work/write)\tmailbox_wait/frame_latency_p99_ms\topen/fail/closed\tskipped\tloadavg\n'
for r in $(seq 1 "$ROUNDS"); do
    for s in $SERVERS; do run_one "$s" "$r"; done
done

# per round: after / jetty (and before / jetty); medians over rounds
echo "--- ratios to the Jetty sink in the same round (median over $ROUNDS rounds); bars of issue 27 on 'after' ---"
awk -F'\t' '{p99[$1 "," $2] = $5; cpu[$1 "," $2] = $7; rep[$1 "," $2] = $8; rounds[$1] = 1}
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END {
        split("before after node", names, " ")
        for (k = 1; k <= 3; k++) { s = names[k]; n = 0; delete pr; delete cr; delete ok
            for (r in rounds) if ((r "," s) in p99 && (r ",jetty") in p99) { n++; pr[n] = p99[r "," s] / p99[r ",jetty"]; cr[n] = cpu[r "," s] / cpu[r ",jetty"]
                ex[n] = p99[r "," s] - (1.25 * p99[r ",jetty"] + 10) }
            if (n) printf "%-7s p99 %.2fx jetty (median of %d), p99 - (1.25 x jetty + 10 ms) median %+.1f ms, cpu/frame %.2fx jetty\n", s, median(pr, n), n, median(ex, n), median(cr, n)
        }
        n = 0; bad = 0; worst = -1e9; cw = 0
        for (r in rounds) if ((r ",after") in p99 && (r ",jetty") in p99) { n++
            e = p99[r ",after"] - (1.25 * p99[r ",jetty"] + 10); if (e > worst) worst = e
            c = cpu[r ",after"] / cpu[r ",jetty"]; if (c > cw) cw = c; if (rep[r ",after"] != 0) bad++ }
        if (n) {
            printf "%s  after p99 <= 1.25 x jetty p99 + 10 ms in every round (worst margin %+.1f ms)\n", (worst <= 0 ? "PASS" : "FAIL"), worst
            printf "%s  after: 0 frames replaced in every round (%d rounds with some)\n", (bad == 0 ? "PASS" : "FAIL"), bad
            printf "%s  after CPU per frame <= 1.1 x jetty in every round (worst %.2fx)\n", (cw <= 1.1 ? "PASS" : "FAIL"), cw
        }
    }' "$TABLE"
if [[ ${STRICT:-0} == 1 ]]; then
    awk -F'\t' -v n="$STREAMS" '$11 != n "/0/0" || ($8 != "-" && $8 + 0 != 0) {print "FAIL  round " $1 " " $2 ": open/fail/closed " $11 ", replaced " $8; bad = 1}
        END {exit bad}' "$TABLE"
fi

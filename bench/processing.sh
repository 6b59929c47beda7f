#!/usr/bin/env bash
# Processing efficiency: YuNet on CPU. Standalone single-thread baseline first, then the server
# under STREAMS x FPS with --workers 1 and --workers 2.
# Targets: 1 worker >= 90% of baseline fps, p99 <= 500 ms, Jain >= 0.95, every sent frame
# accounted for as result, error or dropped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STREAMS=${STREAMS:-200}
FPS=${FPS:-15}
DURATION=${DURATION:-30}
RAMP=${RAMP:-5}
WARMUP=${WARMUP:-5}
BASELINE_SECONDS=${BASELINE_SECONDS:-15}
MODEL=${MODEL:-$SHARED/models/yunet_s_640_640.onnx}
WORKER_COUNTS=${WORKER_COUNTS:-1 2}
TARGET_RATIO=${TARGET_RATIO:-0.90}
TARGET_P99_MS=${TARGET_P99_MS:-500}
TARGET_JAIN=${TARGET_JAIN:-0.95}

build_jar
ensure_frames

echo "baseline: StandaloneBench (one thread, no network) for ${BASELINE_SECONDS}s ..." >&2
# /usr/bin/time shows how many cores the "single-threaded" baseline really used (OpenCV has its own pool)
TIMER=(); [[ -x /usr/bin/time ]] && TIMER=(/usr/bin/time -f "%U %S %e" -o "$OUT/processing-baseline.time")
"${TIMER[@]}" "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" io.framewire.inference.StandaloneBench \
    --detector yunet --model "$MODEL" --images "$FRAMES" --seconds "$BASELINE_SECONDS" \
    2>"$OUT/processing-baseline.log" | tail -1 >"$OUT/processing-baseline.json"
BASE_FPS=$(jq .fps "$OUT/processing-baseline.json")
echo "baseline: $(jq -c . "$OUT/processing-baseline.json")"
if [[ -s $OUT/processing-baseline.time ]]; then
    awk '{printf "baseline process: %.2f cores on average (incl. JVM start and model load)\n", ($1 + $2) / $3}' \
        "$OUT/processing-baseline.time"
fi

for W in $WORKER_COUNTS; do
    start_server "processing-w$W-server" --detector yunet --model "$MODEL" --workers "$W"
    echo "--workers $W: server pid $SERVER_PID; $STREAMS streams x $FPS fps, ${DURATION}s measured" >&2
    # a longer drain lets the last pending frame of every stream be answered before accounting
    run_loadgen "processing-w$W" --source "$FRAMES" --streams "$STREAMS" --fps "$FPS" \
        --ramp "${RAMP}s" --warmup "${WARMUP}s" --duration "${DURATION}s" --drain 5s
    J=$OUT/processing-w$W.json
    stop_server

    rps=$(jq .results_per_s "$J"); p99=$(jq .latency_ms.p99 "$J"); jain=$(jq '.fairness.jain // 0' "$J")
    ratio=$(awk -v a="$rps" -v b="$BASE_FPS" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
    echo "--workers $W: processed $rps fps = $ratio x baseline ($BASE_FPS fps); p50 $(jq .latency_ms.p50 "$J") ms, p99 $p99 ms; jain $jain (min $(jq .fairness.min_results "$J"), max $(jq .fairness.max_results "$J") results/stream)"
    jq -r '"  window: sent \(.frames_sent), results \(.results), dropped \(.dropped) (\(.dropped_ratio)), errors \(.errors) \(.error_codes), skipped \(.send_skipped)",
           "  accounting (whole run): sent \(.accounting.sent) = results \(.accounting.results) + errors \(.accounting.errors) + dropped \(.accounting.dropped) + unanswered tail \(.accounting.unanswered); streams mismatched \(.accounting.streams_mismatched)/\(.accounting.streams_checked)",
           "  connections: open \(.connections.open_at_window_start)/\(.connections.attempted), failures \(.connections.connect_failures), unexpected closes \(.connections.unexpected_closes) \(.connections.close_reasons)"' "$J"
    awk -v c="$SERVER_CPU_S" -v d="$(jq .window_s "$J")" -v r="$(jq .results "$J")" \
        'BEGIN {printf "  server: %.2f cores, %.0f us CPU per processed frame\n", c / d, (r ? c * 1e6 / r : 0)}'

    if [[ $W == 1 ]]; then
        check "workers=1 >= ${TARGET_RATIO} x baseline" "$(awk -v a="$ratio" -v b="$TARGET_RATIO" 'BEGIN {print (a >= b)}')" "$ratio"
    fi
    check "workers=$W p99 <= $TARGET_P99_MS ms" "$(awk -v a="$p99" -v b="$TARGET_P99_MS" 'BEGIN {print (a <= b)}')" "$p99 ms"
    check "workers=$W jain >= $TARGET_JAIN" "$(awk -v a="$jain" -v b="$TARGET_JAIN" 'BEGIN {print (a >= b)}')" "$jain"
    check "workers=$W frames accounted" "$(jq '(.accounting.streams_mismatched == 0 and .accounting.streams_checked > 0) | if . then 1 else 0 end' "$J")" \
        "$(jq -r '"\(.accounting.streams_mismatched) streams mismatched, gap \(.accounting.gap_total)"' "$J")"
done
exit "$FAILED"

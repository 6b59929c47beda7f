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

# The baseline runs before AND after the server runs: this VM's per-core speed drifts by up to
# ~30 % over minutes, so one baseline taken minutes apart skews the ratio either way.
baseline() {
    local tag=$1
    standalone \
        --detector yunet --model "$MODEL" --images "$FRAMES" --seconds "$BASELINE_SECONDS" \
        2>"$OUT/processing-baseline-$tag.log" | tail -1 >"$OUT/processing-baseline-$tag.json"
    echo "baseline ($tag): $(jq -c . "$OUT/processing-baseline-$tag.json")"
}
echo "baseline: StandaloneBench (one thread, no network) for ${BASELINE_SECONDS}s ..." >&2
baseline before
declare -A RPS
for W in $WORKER_COUNTS; do
    start_server "processing-w$W-server" --detector yunet --model "$MODEL" --workers "$W"
    echo "--workers $W: server pid $SERVER_PID; $STREAMS streams x $FPS fps, ${DURATION}s measured" >&2
    # a longer drain lets the last pending frame of every stream be answered before accounting
    run_loadgen "processing-w$W" --source "$FRAMES" --streams "$STREAMS" --fps "$FPS" \
        --ramp "${RAMP}s" --warmup "${WARMUP}s" --duration "${DURATION}s" --drain 5s
    J=$OUT/processing-w$W.json
    stop_server

    rps=$(jq .results_per_s "$J"); p99=$(jq .latency_ms.p99 "$J"); jain=$(jq '.fairness.jain // 0' "$J")
    RPS[$W]=$rps
    echo "--workers $W: processed $rps fps; p50 $(jq .latency_ms.p50 "$J") ms, p99 $p99 ms; jain $jain (min $(jq .fairness.min_results "$J"), max $(jq .fairness.max_results "$J") results/stream)"
    jq -r '"  window: sent \(.frames_sent), results \(.results), dropped \(.dropped) (\(.dropped_ratio)), errors \(.errors) \(.error_codes), skipped \(.send_skipped)",
           "  accounting (whole run): sent \(.accounting.sent) = results \(.accounting.results) + errors \(.accounting.errors) + dropped \(.accounting.dropped) + unanswered tail \(.accounting.unanswered); streams mismatched \(.accounting.streams_mismatched)/\(.accounting.streams_checked)",
           "  connections: open \(.connections.open_at_window_start)/\(.connections.attempted), failures \(.connections.connect_failures), unexpected closes \(.connections.unexpected_closes) \(.connections.close_reasons)"' "$J"
    awk -v c="$SERVER_CPU_S" -v d="$(jq .window_s "$J")" -v r="$(jq .results "$J")" \
        'BEGIN {printf "  server: %.2f cores, %.0f us CPU per processed frame\n", c / d, (r ? c * 1e6 / r : 0)}'

    check "workers=$W p99 <= $TARGET_P99_MS ms" "$(awk -v a="$p99" -v b="$TARGET_P99_MS" 'BEGIN {print (a <= b)}')" "$p99 ms"
    check "workers=$W jain >= $TARGET_JAIN" "$(awk -v a="$jain" -v b="$TARGET_JAIN" 'BEGIN {print (a >= b)}')" "$jain"
    check "workers=$W frames accounted" "$(jq '(.accounting.streams_mismatched == 0 and .accounting.streams_checked > 0) | if . then 1 else 0 end' "$J")" \
        "$(jq -r '"\(.accounting.streams_mismatched) streams mismatched, gap \(.accounting.gap_total)"' "$J")"
done

baseline after
BASE_FPS=$(jq -s '(.[0].fps + .[1].fps) / 2' "$OUT/processing-baseline-before.json" "$OUT/processing-baseline-after.json")
echo "baseline: mean of before and after = $BASE_FPS fps"
for W in $WORKER_COUNTS; do
    ratio=$(awk -v a="${RPS[$W]}" -v b="$BASE_FPS" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
    echo "--workers $W: ${RPS[$W]} fps = $ratio x baseline"
    if [[ $W == 1 ]]; then
        check "workers=1 >= ${TARGET_RATIO} x baseline" "$(awk -v a="$ratio" -v b="$TARGET_RATIO" 'BEGIN {print (a >= b)}')" "$ratio"
    fi
done
exit "$FAILED"

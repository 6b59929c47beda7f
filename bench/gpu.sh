#!/usr/bin/env bash
# Does the pipeline keep an accelerator busy? Throughput, p99 and fairness by stream count, batch
# size and pipeline (inline = today's design: each worker decodes its batch, then runs its forward
# pass; split = decoder threads feed one executor per device). GPU utilisation and memory from
# nvidia-smi when there is one.
#
# Without a GPU it runs --detector sim (a forward pass sleeps SIM_MS per batch of up to batch.max
# frames after a real JPEG decode). On a CUDA host: DETECTOR=yunet MODEL=... DEVICE=cuda bench/gpu.sh
#
# Target (sim): results/s >= TARGET_RATIO x min(sim ceiling = 1000/SIM_MS x batch, what the cores
# can decode = one core's decode rate x cores), Jain >= 0.95, split vs inline in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DETECTOR=${DETECTOR:-sim}
MODEL=${MODEL:-}
DEVICE=${DEVICE:-auto}
SIM_MS=${SIM_MS:-5}
STREAM_COUNTS=${STREAM_COUNTS:-1000}
BATCHES=${BATCHES:-8}
PIPELINES=${PIPELINES:-inline split}
WORKERS=${WORKERS:-0}              # 0: the detector's default (1 for sim, one per GPU for cuda)
DECODERS=${DECODERS:-0}            # 0: one per core
FPS=${FPS:-15}
DURATION=${DURATION:-30}
RAMP=${RAMP:-10}
WARMUP=${WARMUP:-5}
DECODE_SECONDS=${DECODE_SECONDS:-8}
TARGET_RATIO=${TARGET_RATIO:-0.90}
TARGET_JAIN=${TARGET_JAIN:-0.95}

build_jar
ensure_frames
CORES=$(nproc)

det_args=(--detector "$DETECTOR" --device "$DEVICE")
[[ $DETECTOR == sim ]] && det_args+=(--sim.batchMs "$SIM_MS")
[[ -n $MODEL ]] && det_args+=(--model "$MODEL")
(( WORKERS > 0 )) && det_args+=(--workers "$WORKERS")
(( DECODERS > 0 )) && det_args+=(--pipeline.decoders "$DECODERS")

# What one core decodes (320x240 JPEGs, header check + imdecode, no network): x cores = the decode ceiling.
standalone \
    --detector none --decodeOnly true --images "$FRAMES" --seconds "$DECODE_SECONDS" \
    2>"$OUT/gpu-decode.log" | tail -1 >"$OUT/gpu-decode.json"
DECODE_1=$(jq .fps "$OUT/gpu-decode.json")
echo "decode: one core $DECODE_1 frames/s; $CORES cores $(awk -v d="$DECODE_1" -v c="$CORES" 'BEGIN {printf "%.0f", d * c}') frames/s (no network, no load generator)"

HAVE_SMI=0
command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 && HAVE_SMI=1
(( HAVE_SMI )) && nvidia-smi -L

metric() { # metric NAME_WITH_LABELS: one sample from the server's /metrics, 0 when absent
    curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2; found=1} END {if (!found) print 0}'
}

printf '%-8s %-6s %-7s %10s %9s %9s %7s %8s %8s %s\n' pipeline batch streams results/s p50_ms p99_ms jain dropped fill gpu >&2
for S in $STREAM_COUNTS; do
  for B in $BATCHES; do
    declare -A RPS=()
    for P in $PIPELINES; do
        name=gpu-$P-b$B-s$S
        start_server "$name-server" "${det_args[@]}" --batch.max "$B" --pipeline "$P"
        smi_pid=""
        if (( HAVE_SMI )); then
            nvidia-smi --query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits -lms 500 >"$OUT/$name.smi" &
            smi_pid=$!; PIDS+=("$smi_pid")
        fi
        run_loadgen "$name" --source "$FRAMES" --streams "$S" --fps "$FPS" \
            --ramp "${RAMP}s" --warmup "${WARMUP}s" --duration "${DURATION}s" --drain 5s
        J=$OUT/$name.json
        passes=$(metric 'framewire_device_forward_passes_total{device="'"$DETECTOR"':0"}')
        [[ $passes == 0 ]] && passes=$(metric 'framewire_device_forward_passes_total{device="cuda:0"}')
        fill_sum=$(metric 'framewire_batch_size_sum'); fill_n=$(metric 'framewire_batch_size_count')
        [[ -n $smi_pid ]] && kill "$smi_pid" 2>/dev/null || true
        stop_server
        rps=$(jq .results_per_s "$J"); RPS[$P]=$rps
        gpu="-"
        if (( HAVE_SMI )); then
            gpu=$(awk -F', *' '{u+=$2; n++; if ($3 > m) m = $3} END {if (n) printf "util %.0f%% mem %d MiB", u / n, m}' "$OUT/$name.smi")
        fi
        printf '%-8s %-6s %-7s %10s %9s %9s %7s %8s %8s %s\n' "$P" "$B" "$S" "$rps" "$(jq .latency_ms.p50 "$J")" \
            "$(jq .latency_ms.p99 "$J")" "$(jq '.fairness.jain // 0' "$J")" "$(jq .dropped_ratio "$J")" \
            "$(awk -v s="$fill_sum" -v n="$fill_n" -v b="$B" 'BEGIN {printf "%.2f", (n ? s / n / b : 0)}')" "$gpu"
        jq -r '"  accounting (whole run): sent \(.accounting.sent) = results \(.accounting.results) + errors \(.accounting.errors) + dropped \(.accounting.dropped) + unanswered tail \(.accounting.unanswered); streams mismatched \(.accounting.streams_mismatched)/\(.accounting.streams_checked)"' "$J"
        awk -v c="$SERVER_CPU_S" -v l="$LOADGEN_CPU_S" -v d="$(jq .window_s "$J")" \
            'BEGIN {printf "  cpu: server %.2f cores, load generator %.2f cores\n", c / d, l / d}'
        check "$P b=$B s=$S jain >= $TARGET_JAIN" "$(awk -v a="$(jq '.fairness.jain // 0' "$J")" -v b="$TARGET_JAIN" 'BEGIN {print (a >= b)}')" "$(jq '.fairness.jain // 0' "$J")"
        check "$P b=$B s=$S frames accounted" "$(jq '(.accounting.streams_mismatched == 0 and .accounting.streams_checked > 0) | if . then 1 else 0 end' "$J")" \
            "$(jq -r '"\(.accounting.streams_mismatched) streams mismatched"' "$J")"
    done
    if [[ $DETECTOR == sim && -n ${RPS[split]:-} ]]; then
        ceiling=$(awk -v ms="$SIM_MS" -v b="$B" -v d="$DECODE_1" -v c="$CORES" -v s="$S" -v f="$FPS" \
            'BEGIN {x = 1000 / ms * b; y = d * c; z = s * f; m = x < y ? x : y; m = m < z ? m : z; printf "%.0f", m}')
        ratio=$(awk -v a="${RPS[split]}" -v b="$ceiling" 'BEGIN {printf "%.3f", a / b}')
        echo "b=$B s=$S: ceiling min(sim $(awk -v ms="$SIM_MS" -v b="$B" 'BEGIN {printf "%.0f", 1000 / ms * b}'), decode, offered) = $ceiling/s; split ${RPS[split]} = $ratio x ceiling${RPS[inline]:+; inline ${RPS[inline]}}"
        check "split b=$B s=$S >= $TARGET_RATIO x ceiling" "$(awk -v a="$ratio" -v b="$TARGET_RATIO" 'BEGIN {print (a >= b)}')" "$ratio"
    fi
  done
done
exit "$FAILED"

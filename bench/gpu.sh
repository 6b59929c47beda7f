#!/usr/bin/env bash
# Does the pipeline keep an accelerator busy? Throughput, p99 and fairness by stream count, batch
# size and pipeline: inline = the design before #16 (one worker per device decodes its batch, then
# runs its forward pass); split = decoder threads feed the device's executors (two per device, the
# default); split1 = split with one executor per device (wave 3's split, for comparison). GPU
# utilisation and memory from nvidia-smi when there is one.
#
# Without a GPU it runs --detector sim (a forward pass sleeps SIM_MS per batch of up to batch.max
# frames after a real JPEG decode). On a CUDA host: DETECTOR=yunet MODEL=... DEVICE=cuda bench/gpu.sh
#
# Target (sim): results/s >= TARGET_RATIO x min(sim ceiling = 1000/SIM_MS x batch, what the cores
# can decode), Jain >= 0.95, split vs inline in the same run. "What the cores can decode" is measured
# in the same run under the same load (FLOOR_MS, default 0.01: a sim device that costs nothing, so
# the server is bound by transport + decode on these cores); without it (FLOOR_MS=off) one core's
# standalone decode rate x cores, which ignores the transport sharing the cores.
#
# Sweeps: BATCHES x WAITS (batch.maxWaitMs) x PIPELINES, each combination ROUNDS times with the
# pipelines interleaved within a round. YUNET_BATCHED=true|false passes --yunet.batched.
# GATING (default false): --gating.enabled for the server; off so that every answer is a forward pass
# (a gated answer skips the device, and would count above the device's ceiling).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DETECTOR=${DETECTOR:-sim}
MODEL=${MODEL:-}
DEVICE=${DEVICE:-auto}
SIM_MS=${SIM_MS:-5}
STREAM_COUNTS=${STREAM_COUNTS:-1000}
BATCHES=${BATCHES:-8}
PIPELINES=${PIPELINES:-inline split}  # inline | split | split1
WORKERS=${WORKERS:-0}              # 0: inline and split1 one per device, split the default (two per device)
DECODERS=${DECODERS:-0}            # 0: one per core
FPS=${FPS:-15}
DURATION=${DURATION:-30}
RAMP=${RAMP:-10}
WARMUP=${WARMUP:-15}               # after the ramp: on 2 busy cores the JIT needs ~20 s before results settle (RESULTS.md)
DECODE_SECONDS=${DECODE_SECONDS:-8}
TARGET_RATIO=${TARGET_RATIO:-0.90}
TARGET_JAIN=${TARGET_JAIN:-0.95}
WAITS=${WAITS:-2}                  # batch.maxWaitMs values
ROUNDS=${ROUNDS:-1}
FLOOR_MS=${FLOOR_MS:-0.01}         # sim only; off: no same-run decode floor
YUNET_BATCHED=${YUNET_BATCHED:-}

build_jar
ensure_frames
CORES=$(nproc)

det_args=(--detector "$DETECTOR" --device "$DEVICE")
sim_args=(); floor_args=()
[[ $DETECTOR == sim ]] && { sim_args=(--sim.batchMs "$SIM_MS"); floor_args=(--sim.batchMs "$FLOOR_MS"); }
[[ -n $MODEL ]] && det_args+=(--model "$MODEL")
(( WORKERS > 0 )) && det_args+=(--workers "$WORKERS")
(( DECODERS > 0 )) && det_args+=(--pipeline.decoders "$DECODERS")
[[ -n $YUNET_BATCHED ]] && det_args+=(--yunet.batched "$YUNET_BATCHED")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; jar $JAR"

# What one core decodes (320x240 JPEGs, header check + imdecode, no network): x cores = the decode ceiling.
standalone \
    --detector none --decodeOnly true --images "$FRAMES" --seconds "$DECODE_SECONDS" \
    2>"$OUT/gpu-decode.log" | tail -1 >"$OUT/gpu-decode.json"
DECODE_1=$(jq .fps "$OUT/gpu-decode.json")
echo "decode: one core $DECODE_1 frames/s; $CORES cores $(awk -v d="$DECODE_1" -v c="$CORES" 'BEGIN {printf "%.0f", d * c}') frames/s (no network, no load generator)"

HAVE_SMI=0
command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 && HAVE_SMI=1
(( HAVE_SMI )) && nvidia-smi -L && DEVICES=${DEVICES:-$(nvidia-smi -L | wc -l)}

metric() { # metric NAME_WITH_LABELS: one sample from the server's /metrics, 0 when absent
    curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2; found=1} END {if (!found) print 0}'
}

printf '%-8s %-6s %-5s %-7s %10s %9s %9s %7s %8s %8s %s\n' pipeline batch wait streams results/s p50_ms p99_ms jain dropped fill gpu >&2
# run_one NAME PIPELINE BATCH WAIT STREAMS EXTRA_ARGS...: one server + load generator run; sets RPS_ONE.
run_one() {
    local name=$1 P=$2 B=$3 W=$4 S=$5; shift 5
    local label=$P
    [[ $name == gpu-floor-* ]] && label=floor
    local per_device=()
    # one worker per device, as before #16 (DEVICES: GPUs on a CUDA host; one sim device)
    [[ $P != split ]] && (( WORKERS == 0 )) && per_device=(--workers "${DEVICES:-1}")
    start_server "$name-server" "${det_args[@]}" "${per_device[@]}" "$@" --batch.max "$B" --batch.maxWaitMs "$W" \
        --pipeline "${P%1}" --gating.enabled "${GATING:-false}"
    local smi_pid=""
    if (( HAVE_SMI )); then
        nvidia-smi --query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits -lms 500 >"$OUT/$name.smi" &
        smi_pid=$!; PIDS+=("$smi_pid")
    fi
    run_loadgen "$name" --source "$FRAMES" --streams "$S" --fps "$FPS" \
        --ramp "${RAMP}s" --warmup "${WARMUP}s" --duration "${DURATION}s" --drain 5s
    local J=$OUT/$name.json
    local fill_sum fill_n gpu="-"
    fill_sum=$(metric 'framewire_batch_size_sum'); fill_n=$(metric 'framewire_batch_size_count')
    [[ -n $smi_pid ]] && kill "$smi_pid" 2>/dev/null || true
    stop_server
    RPS_ONE=$(jq .results_per_s "$J")
    if (( HAVE_SMI )); then
        gpu=$(awk -F', *' '{u+=$2; n++; if ($3 > m) m = $3} END {if (n) printf "util %.0f%% mem %d MiB", u / n, m}' "$OUT/$name.smi")
    fi
    printf '%-8s %-6s %-5s %-7s %10s %9s %9s %7s %8s %8s %s\n' "$label" "$B" "$W" "$S" "$RPS_ONE" "$(jq .latency_ms.p50 "$J")" \
        "$(jq .latency_ms.p99 "$J")" "$(jq '.fairness.jain // 0' "$J")" "$(jq .dropped_ratio "$J")" \
        "$(awk -v s="$fill_sum" -v n="$fill_n" -v b="$B" 'BEGIN {printf "%.2f", (n ? s / n / b : 0)}')" "$gpu"
    jq -r '"  accounting (whole run): sent \(.accounting.sent) = results \(.accounting.results) + errors \(.accounting.errors) + dropped \(.accounting.dropped) + unanswered tail \(.accounting.unanswered); streams mismatched \(.accounting.streams_mismatched)/\(.accounting.streams_checked)"' "$J"
    awk -v c="$SERVER_CPU_S" -v l="$LOADGEN_CPU_S" -v d="$(jq .window_s "$J")" \
        -v r="$RPS_ONE" 'BEGIN {printf "  cpu: server %.2f cores, load generator %.2f cores; %.0f results per server core-second; load average %s\n", c / d, l / d, (c > 0 ? r * d / c : 0), "'"$(cut -d' ' -f1-3 /proc/loadavg)"'"}'
    check "$label b=$B w=$W s=$S jain >= $TARGET_JAIN" "$(awk -v a="$(jq '.fairness.jain // 0' "$J")" -v b="$TARGET_JAIN" 'BEGIN {print (a >= b)}')" "$(jq '.fairness.jain // 0' "$J")"
    check "$label b=$B w=$W s=$S frames accounted" "$(jq '(.accounting.streams_mismatched == 0 and .accounting.streams_checked > 0) | if . then 1 else 0 end' "$J")" \
        "$(jq -r '"\(.accounting.streams_mismatched) streams mismatched"' "$J")"
}

for S in $STREAM_COUNTS; do
  for B in $BATCHES; do
    for W in $WAITS; do
      for R in $(seq 1 "$ROUNDS"); do
        declare -A RPS=()
        for P in $PIPELINES; do
            run_one "gpu-$P-b$B-w$W-s$S-r$R" "$P" "$B" "$W" "$S" "${sim_args[@]}"
            RPS[$P]=$RPS_ONE
        done
        if [[ $DETECTOR == sim && -n ${RPS[split]:-} ]]; then
            sim_ceiling=$(awk -v ms="$SIM_MS" -v b="$B" 'BEGIN {printf "%.0f", 1000 / ms * b}')
            if [[ $FLOOR_MS != off ]]; then
                # the same load with a device that costs nothing: what these cores decode with the transport on them
                run_one "gpu-floor-b$B-w$W-s$S-r$R" split "$B" "$W" "$S" "${floor_args[@]}"
                decode=$RPS_ONE; how="same load, --sim.batchMs $FLOOR_MS"
            else
                decode=$(awk -v d="$DECODE_1" -v c="$CORES" 'BEGIN {printf "%.0f", d * c}'); how="standalone decode x $CORES cores"
            fi
            ceiling=$(awk -v x="$sim_ceiling" -v y="$decode" -v z="$((S * FPS))" \
                'BEGIN {m = x < y ? x : y; m = m < z ? m : z; printf "%.0f", m}')
            ratio=$(awk -v a="${RPS[split]}" -v b="$ceiling" 'BEGIN {printf "%.3f", a / b}')
            echo "b=$B w=$W s=$S round $R: ceiling min(sim $sim_ceiling, decode $decode ($how), offered $((S * FPS))) = $ceiling/s; split ${RPS[split]} = $ratio x ceiling${RPS[inline]:+; inline ${RPS[inline]} (split/inline $(awk -v a="${RPS[split]}" -v b="${RPS[inline]}" 'BEGIN {printf "%.2f", a / b}'))}"
            check "split b=$B w=$W s=$S >= $TARGET_RATIO x ceiling" "$(awk -v a="$ratio" -v b="$TARGET_RATIO" 'BEGIN {print (a >= b)}')" "$ratio"
        elif [[ -n ${RPS[split]:-} && -n ${RPS[inline]:-} ]]; then
            echo "b=$B w=$W s=$S round $R: split ${RPS[split]} / inline ${RPS[inline]} = $(awk -v a="${RPS[split]}" -v b="${RPS[inline]}" 'BEGIN {printf "%.3f", a / b}')"
        fi
      done
    done
  done
done
exit "$FAILED"

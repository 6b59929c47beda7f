#!/usr/bin/env bash
# One short GPU check for a CUDA host (an H100/H200 lent for a few minutes): builds with -Pgpu,
# runs YuNet on CUDA once frame by frame and once batched, then bench/gpu.sh on CUDA (inline, one
# executor per GPU, two: the default). Prints PASS/FAIL lines and the numbers; exit 1 when a check failed.
#   bench/gpu-check.sh                       # defaults: 250 streams x 15 fps, batch 8, 20 s
#   STREAM_COUNTS="250 500" BATCHES="8 16" bench/gpu-check.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit
SHARED=${SHARED:-../shared}
MODEL=${MODEL:-$SHARED/models/yunet_s_640_640.onnx}
PORT=${PORT:-18690}
FAILED=0
check() { if [[ $2 == 1 ]]; then echo "PASS  $1  ($3)"; else echo "FAIL  $1  ($3)"; FAILED=1; fi; }

echo "== host"
nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader || { echo "FAIL  nvidia-smi (no driver)"; exit 1; }
nvidia-smi | grep -o 'CUDA Version: *[0-9.]*' || true
ldconfig -p | grep -oE 'lib(cudart|cublas|cudnn)\.so\.[0-9]+' | sort -u | tr '\n' ' '; echo
nproc

echo "== build (-Pgpu)"
# verify -DskipTests: the server jar and the tools jar (bench/target/framewire-bench.jar) built against it
mvn -B -q verify -DskipTests -Pgpu || { echo "FAIL  mvn verify -DskipTests -Pgpu"; exit 1; }
source bench/lib.sh            # JAVA, OUT, ensure_frames (after the build: lib.sh cds to the repo root)
ensure_frames

run_bench() { # run_bench NAME ARGS...: StandaloneBench on CUDA, one JSON line
    local name=$1; shift
    standalone \
        --detector yunet --device cuda --model "$MODEL" --images "$FRAMES" --seconds 8 --warmup 3 "$@" \
        2>"$OUT/gpu-check-$name.log" | tail -1
}
echo "== CUDA path, one thread (StandaloneBench)"
for spec in "single:--yunet.batched false --batch 1" "batched:--yunet.batched true --batch 8" "batched16:--yunet.batched true --batch 16"; do
    name=${spec%%:*}; args=${spec#*:}
    # shellcheck disable=SC2086
    line=$(run_bench "$name" $args)
    echo "$name: ${line:-<none>}"
    fps=$(jq -r '.fps // 0' <<<"${line:-{\}}" 2>/dev/null || echo 0)
    ok=$(awk -v f="$fps" 'BEGIN {print (f > 0)}')
    check "yunet on cuda, $name" "$ok" "${fps} fps; log $OUT/gpu-check-$name.log"
    grep -q 'on cuda' "$OUT/gpu-check-$name.log" || check "yunet $name really on cuda" 0 "$(grep -m1 'detector:' "$OUT/gpu-check-$name.log")"
done

echo "== same faces on CUDA as on CPU (server, messi5.jpg)"
for dev in cpu cuda; do
    "$JAVA" -jar target/framewire.jar --port "$PORT" --detector yunet --model "$MODEL" --device "$dev" \
        --yunet.batched true >"$OUT/gpu-check-server-$dev.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
    loadgen --url "ws://127.0.0.1:$PORT" --source "$SHARED/testdata/messi5.jpg" \
        --streams 1 --fps 5 --duration 3s --json "$OUT/gpu-check-faces-$dev.json" >/dev/null 2>&1
    kill "$pid"; wait "$pid" 2>/dev/null
    echo "$dev: $(jq -c '{results, errors, latency_ms: .latency_ms.p50}' "$OUT/gpu-check-faces-$dev.json" 2>/dev/null)"
done
check "server answers on cuda" "$(jq '(.results > 0 and .errors == 0) | if . then 1 else 0 end' "$OUT/gpu-check-faces-cuda.json" 2>/dev/null || echo 0)" \
    "$(grep -m1 'listening' "$OUT/gpu-check-server-cuda.log" | sed 's/.*: yunet/yunet/' | cut -c1-120)"

echo "== bench/gpu.sh on CUDA"
DETECTOR=yunet MODEL="$MODEL" DEVICE=cuda PORT=$((PORT + 1)) STREAM_COUNTS=${STREAM_COUNTS:-250} BATCHES=${BATCHES:-8} \
    PIPELINES=${PIPELINES:-inline split1 split} DURATION=${DURATION:-20} RAMP=${RAMP:-5} WARMUP=${WARMUP:-3} \
    bash bench/gpu.sh 2>&1 | grep -v '^\[loadgen\] t=' || FAILED=1
echo "== gpu-check: $([[ $FAILED == 0 ]] && echo PASS || echo FAIL)"
exit "$FAILED"

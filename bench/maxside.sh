#!/usr/bin/env bash
# inference.maxSide: ms per frame (decode + detect, one thread, StandaloneBench) of 4096x2048 frames
# (the default limits' largest) at each working size, per detector, on noise and on a photo.
# What the default of inference.maxSide is chosen from (bench/RESULTS.md, "Edge safety").
# YOLO_MODEL: a YOLO ONNX (no real one ships in ../shared; without it yolo is skipped).
# SIDES: the working sizes tried (0 = the frame's own size).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SIDES=${SIDES:-0 1920 1280 960 640}
SECONDS_PER=${SECONDS_PER:-6}
YUNET=${YUNET:-$SHARED/models/yunet_s_640_640.onnx}

build_jar
BIG=$OUT/bigframes
if [[ ! -f $BIG/photo/photo.jpg ]]; then
    tool bigframes "$BIG" "$SHARED/testdata/messi5.jpg"
fi

detectors=("haar|" "yunet|--model $YUNET")
[[ -n ${YOLO_MODEL:-} ]] && detectors+=("yolo|--model $YOLO_MODEL")

printf '%-6s %-6s %8s %12s\n' detector images maxSide ms/frame
for d in "${detectors[@]}"; do
    name=${d%%|*}; args=${d#*|}
    for images in noise photo; do
        for side in $SIDES; do
            json=$(standalone \
                --detector "$name" $args --device cpu --images "$BIG/$images" --seconds "$SECONDS_PER" --warmup 1 \
                --maxSide "$side" 2>/dev/null | tail -1)
            ms=$(jq -r .ms_per_frame <<<"$json")
            printf '%-6s %-6s %8s %12.1f\n' "$name" "$images" "$side" "$ms"
        done
    done
done

#!/usr/bin/env bash
# Capacity on footage like a camera's (issue #22): cameras at 15 FPS, each starting at its own point of a
# looped clip, every answer scored against an ungated detector pass over the same frame (recall and precision
# of boxes at IoU >= 0.5; the tools jar's `capacity`). Footage:
#   still     vtest.avi's first frame (a street), per-frame sensor noise (sigma 2.5 grey levels) and a 1 %
#             exposure flicker; messi5.jpg's face walks across for the middle third of the clip
#   identical the same street as one JPEG repeated byte for byte (the old headline's footage; label it so)
#   vtest     vtest.avi (fixed street camera, pedestrians)
#   megamind  Megamind.avi (moving camera)
# Servers, all up at once and probed in turn (interleaved, so a shared machine's swings hit each alike):
#   off  this build, gating off (also answers the ungated truth passes, one frame at a time, before the runs)
#   on   this build, default settings
#   base $BASE_JAR with default settings (the code before issue #22), when the file exists
# For each server: the largest camera count served at >= 95 % of frames with recall >= 0.95 (a search:
# x1.6 until a probe fails, then two bisections), then a sweep at SWEEP multiples of that count.
# Env (defaults): FOOTAGE=still,vtest,megamind SIZES=640x480 PORT0=18100 BASE_JAR=bench/out/capacity/base.jar
# FRAMES=300 WARMUP=4 DURATION=10 START=2 MAX=400 SWEEP=4,10 SERVER_ARGS (more settings for every server),
# VARIANTS=off,on,base, CAMERAS (fixed camera counts, e.g. 16,64,160, instead of the search and sweep).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FOOTAGE=${FOOTAGE:-still,vtest,megamind}
SIZES=${SIZES:-640x480}
PORT0=${PORT0:-18100}
BASE_JAR=${BASE_JAR:-bench/out/capacity/base.jar}
VARIANTS=${VARIANTS:-off,on,base}
MODEL=${MODEL:-$SHARED/models/yunet_s_640_640.onnx}
build_jar

SERVERS=()
n=0
for v in ${VARIANTS//,/ }; do
    n=$((n + 1))
    jar=$JAR; args=()
    case $v in
        off) args=(--gating.enabled false) ;;
        on) ;;
        base) [[ -f $BASE_JAR ]] || { echo "no $BASE_JAR: no baseline" >&2; continue; }; jar=$BASE_JAR ;;
        *) echo "unknown variant $v" >&2; exit 2 ;;
    esac
    PORT=$((PORT0 + n))
    # shellcheck disable=SC2086
    start_listener "capacity-$v-server" "$JAVA" $SERVER_JAVA_OPTS -jar "$jar" --port "$PORT" --detector yunet \
        --model "$MODEL" "${args[@]}" ${SERVER_ARGS:-}
    SERVERS+=(--server "$v=ws://127.0.0.1:$PORT")
done

for size in ${SIZES//,/ }; do
    for f in ${FOOTAGE//,/ }; do
        out=$OUT/capacity-$f-$size.jsonl
        echo "== $f $size: ${SERVERS[*]}" >&2
        tool capacity --footage "$f" --size "$size" --frames "${FRAMES:-300}" --shared "$SHARED" "${SERVERS[@]}" \
            --warmup "${WARMUP:-4}" --duration "${DURATION:-10}" --start "${START:-2}" --max "${MAX:-400}" \
            --sweep "${SWEEP:-4,10}" ${CAMERAS:+--cameras "$CAMERAS"} | tee "$out"
        echo "-- $f $size"
        jq -r 'select(.type == "capacity") | "capacity \(.server): \(.cameras) cameras"' "$out"
        jq -r 'select(.type == "run" and (.phase == "sweep" or .phase == "fixed")) |
            "sweep \(.server) x\(.multiple) = \(.cameras) cameras: \(.answers_per_s) answers/s, served \(.served), gated \(.gated_share), recall \(.recall), precision \(.precision), p99 \(.p99_ms | floor) ms, jain \(.jain)"' "$out"
    done
done

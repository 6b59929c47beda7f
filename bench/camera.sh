#!/usr/bin/env bash
# The camera bridge at 20 RTSP cameras: GStreamer's RTSP server (camera/src/test/python/rtsp_server.py)
# serves Megamind.avi as H.264 640x480 15 FPS on CAMERAS mounts, plus one control camera on a second
# RTSP server; framewire-camera pulls them all (fps = 15) into a framewire server (--detector none:
# the bridge's own cost). Prints:
#   - the bridge's CPU per camera (its process, /proc) and frames out per camera over DURATION s;
#   - memory per camera: RSS with all cameras minus RSS with the control camera alone, / CAMERAS;
#   - recovery: the first RTSP server killed (SIGKILL) for OUTAGE s, then restarted on its port: each
#     camera's time from the restart to its first new frame (target: all within 5 s), and the control
#     camera's frames during the outage (target: not hit: no reopen, no reconnect, >= 0.8 x its rate).
# Env: CAMERAS (20), DURATION (60), FPS (15), OUTAGE (10), PORT (18310, framewire), RTSP_PORT (18320),
# CONTROL_PORT (18321), BRIDGE_PORT (18330, /metrics and /status), CAMERA_JAR, CAMERA_JAVA_OPTS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CAMERAS=${CAMERAS:-20}
DURATION=${DURATION:-60}
FPS=${FPS:-15}
OUTAGE=${OUTAGE:-10}
PORT=${PORT:-18310}
RTSP_PORT=${RTSP_PORT:-18320}
CONTROL_PORT=${CONTROL_PORT:-18321}
BRIDGE_PORT=${BRIDGE_PORT:-18330}
CAMERA_JAR=${CAMERA_JAR:-camera/target/framewire-camera.jar}
CAMERA_JAVA_OPTS=${CAMERA_JAVA_OPTS:--Xmx512m}
RTSP_SCRIPT=camera/src/test/python/rtsp_server.py
[[ -f $JAR ]] || { echo "no $JAR: mvn -B package -DskipTests" >&2; exit 2; }
[[ -f $CAMERA_JAR ]] || { echo "no $CAMERA_JAR: mvn -B verify -DskipTests builds it" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "need ffmpeg" >&2; exit 2; }

# H.264 640x480 15 FPS, a key frame a second, no B-frames (an IP camera's stream), 2 min long
MEDIA=$OUT/megamind-640x480-15.mp4
if [[ ! -f $MEDIA ]]; then
    ffmpeg -v error -y -stream_loop 10 -i "$SHARED/testdata/Megamind.avi" -an -vf scale=640:480,fps=15 -c:v libx264 \
        -preset ultrafast -tune zerolatency -g 15 -bf 0 -pix_fmt yuv420p "$OUT/megamind.tmp.mp4"
    mv "$OUT/megamind.tmp.mp4" "$MEDIA"
fi

start_rtsp() { # PORT MOUNTS LOG: sets RTSP_PID
    /usr/bin/python3 "$RTSP_SCRIPT" --file "$MEDIA" --mounts "$2" --port "$1" >"$OUT/$3.log" 2>&1 &
    RTSP_PID=$!
    PIDS+=("$RTSP_PID")
    for _ in $(seq 1 100); do grep -q '^ready' "$OUT/$3.log" && return 0; sleep 0.1; done
    echo "the RTSP server did not start: $(cat "$OUT/$3.log")" >&2; exit 1
}

start_bridge() { # CONFIG LOG: sets BRIDGE_PID, waits until every camera streams
    "$JAVA" $CAMERA_JAVA_OPTS -jar "$CAMERA_JAR" --config "$1" >"$OUT/$2.log" 2>&1 &
    BRIDGE_PID=$!
    PIDS+=("$BRIDGE_PID")
    for _ in $(seq 1 600); do
        if status >/dev/null 2>&1 && [[ $(status | jq '[.cameras[] | select(.up | not)] | length') == 0 ]]; then return 0; fi
        kill -0 "$BRIDGE_PID" 2>/dev/null || { echo "the bridge exited: $(tail -20 "$OUT/$2.log")" >&2; exit 1; }
        sleep 0.1
    done
    echo "not every camera came up within 60 s: $(status | jq -c '[.cameras[] | {id, state, error}]')" >&2; exit 1
}
stop_bridge() { kill "$BRIDGE_PID"; wait "$BRIDGE_PID" 2>/dev/null || true; }
status() { curl -sf "http://127.0.0.1:$BRIDGE_PORT/status"; }

config() { # N: N cameras on the first RTSP server (none for 0) and the control camera
    printf 'server = "ws://127.0.0.1:%s"\nlisten = "127.0.0.1:%s"\n' "$PORT" "$BRIDGE_PORT"
    for ((i = 0; i < $1; i++)); do
        printf '[[camera]]\nid = "cam-%02d"\nsource = "rtsp://127.0.0.1:%s/cam%d"\nfps = %s\n' "$i" "$RTSP_PORT" "$i" "$FPS"
    done
    printf '[[camera]]\nid = "control"\nsource = "rtsp://127.0.0.1:%s/cam0"\nfps = %s\n' "$CONTROL_PORT" "$FPS"
}

echo "framewire-camera bench: $CAMERAS RTSP cameras (H.264 640x480 $FPS FPS) + 1 control, $DURATION s, outage $OUTAGE s; $(nproc) cores"
start_server camera-server --host 127.0.0.1 --detector none
start_rtsp "$RTSP_PORT" "$CAMERAS" rtsp
MAIN_RTSP=$RTSP_PID
start_rtsp "$CONTROL_PORT" 1 rtsp-control

# memory with the control camera alone
config 0 >"$OUT/cameras-1.toml"
start_bridge "$OUT/cameras-1.toml" bridge-1
sleep 15
RSS_ONE=$(rss_mb "$BRIDGE_PID")
stop_bridge

# all cameras: warm-up, then the measured window
config "$CAMERAS" >"$OUT/cameras.toml"
start_bridge "$OUT/cameras.toml" bridge
sleep 10
status >"$OUT/camera-start.json"
cpu0=$(cpu_seconds "$BRIDGE_PID"); read -r m0 i0 < <(machine_seconds); t0=$(date +%s.%N)
sleep "$DURATION"
status >"$OUT/camera-end.json"
cpu1=$(cpu_seconds "$BRIDGE_PID"); read -r m1 i1 < <(machine_seconds); t1=$(date +%s.%N)
RSS_ALL=$(rss_mb "$BRIDGE_PID")
N=$((CAMERAS + 1))
jq -n --slurpfile a "$OUT/camera-start.json" --slurpfile b "$OUT/camera-end.json" \
   --argjson secs "$(echo "$t1 - $t0" | bc -l)" --argjson fps "$FPS" '
   [ $b[0].cameras[] as $e | ($a[0].cameras[] | select(.id == $e.id)) as $s
     | {id: $e.id, out: (($e.frames_out - $s.frames_out) / $secs), in: (($e.frames_in - $s.frames_in) / $secs),
        reopened: ($e.reconnects - $s.reconnects), results: ($e.results - $s.results),
        unsent: ($e.frames_unsent - $s.frames_unsent)} ] as $c
   | {cameras: ($c | length), out_min: ($c | map(.out) | min), out_median: ($c | map(.out) | sort | .[length/2|floor]),
      out_max: ($c | map(.out) | max), in_median: ($c | map(.in) | sort | .[length/2|floor]),
      out_over_in: (($c | map(.out) | add) / ($c | map(.in) | add)), unsent: ($c | map(.unsent) | add),
      reopened: ($c | map(.reopened) | add), below_target: [$c[] | select(.out < 0.9 * $fps) | .id]}' >"$OUT/camera-rates.json"
secs=$(echo "$t1 - $t0" | bc -l)
cpu=$(echo "($cpu1 - $cpu0) / $secs" | bc -l)
frames_out=$(jq -n --slurpfile a "$OUT/camera-start.json" --slurpfile b "$OUT/camera-end.json" \
    '([$b[0].cameras[].frames_out] | add) - ([$a[0].cameras[].frames_out] | add)')
printf 'window %.1f s; bridge CPU %.3f cores = %.2f %% of a core per camera, %.2f ms per frame out (%d frames)\n' \
    "$secs" "$cpu" "$(echo "100 * $cpu / $N" | bc -l)" "$(echo "1000 * ($cpu1 - $cpu0) / $frames_out" | bc -l)" "$frames_out"
printf 'machine: tasks %.2f cores, irq %.2f cores (server, RTSP servers, bridge and everyone else on this shared box)\n' \
    "$(echo "($m1 - $m0) / $secs" | bc -l)" "$(echo "($i1 - $i0) / $secs" | bc -l)"
printf 'RSS: %.0f MB with %d cameras, %.0f MB with 1: %.1f MB per camera\n' "$RSS_ALL" "$N" "$RSS_ONE" \
    "$(echo "($RSS_ALL - $RSS_ONE) / $CAMERAS" | bc -l)"
jq -r '"fps out per camera: min \(.out_min*100|round/100), median \(.out_median*100|round/100), max \(.out_max*100|round/100) (source \(.in_median*100|round/100); out/in \(.out_over_in*1000|round/1000), unsent \(.unsent)); reopened in the window: \(.reopened); below 0.9 x target: \(.below_target)"' "$OUT/camera-rates.json"
ok=1
[[ $(jq '.below_target | length' "$OUT/camera-rates.json") == 0 && $(jq .reopened "$OUT/camera-rates.json") == 0 ]] \
    && echo "PASS all $N cameras published at >= 0.9 x $FPS FPS for $DURATION s" || { echo "FAIL rates"; ok=0; }

# recovery: the first RTSP server dies for OUTAGE s
status >"$OUT/camera-before.json"
kill -9 "$MAIN_RTSP"; wait "$MAIN_RTSP" 2>/dev/null || true
sleep "$OUTAGE"
status >"$OUT/camera-outage.json"
start_rtsp "$RTSP_PORT" "$CAMERAS" rtsp-restarted
back=$(date +%s.%N)
base=$(status | jq -c '[.cameras[] | {key: .id, value: .frames_in}] | from_entries')
declare -A seen=()
for _ in $(seq 1 150); do  # 30 s at most
    now=$(date +%s.%N)
    while read -r id; do
        [[ -n ${seen[$id]:-} ]] || seen[$id]=$(echo "$now - $back" | bc -l)
    done < <(status | jq -r --argjson base "$base" '.cameras[] | select(.id != "control" and .frames_in > $base[.id] and .state == "streaming") | .id')
    (( ${#seen[@]} == CAMERAS )) && break
    sleep 0.2
done
status >"$OUT/camera-after.json"
times=$(for id in "${!seen[@]}"; do echo "${seen[$id]}"; done | sort -n)
printf 'recovery after the RTSP server returned: %d/%d cameras back; p50 %.2f s, max %.2f s\n' "${#seen[@]}" "$CAMERAS" \
    "$(echo "$times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$(echo "$times" | tail -1)"
max_back=$(echo "$times" | tail -1)
(( ${#seen[@]} == CAMERAS )) && (( $(echo "$max_back <= 5" | bc -l) )) \
    && echo "PASS every camera back within 5 s of the RTSP server's return" || { echo "FAIL recovery"; ok=0; }
jq -n --slurpfile a "$OUT/camera-before.json" --slurpfile b "$OUT/camera-after.json" --slurpfile o "$OUT/camera-outage.json" \
  --argjson fps "$FPS" --argjson outage "$OUTAGE" '
  ($a[0].cameras[] | select(.id == "control")) as $s | ($b[0].cameras[] | select(.id == "control")) as $e
  | ($o[0].cameras[] | select(.id == "control")) as $m
  | "control camera: \($e.frames_out - $s.frames_out) frames out across the outage and recovery, \($m.fps_out) FPS at the end of the outage, reopened \($e.reconnects - $s.reconnects), connection \($e.connection), last close \($e.last_close)"'
ctrl_ok=$(jq -n --slurpfile a "$OUT/camera-before.json" --slurpfile b "$OUT/camera-after.json" --slurpfile o "$OUT/camera-outage.json" --argjson fps "$FPS" '
  ($a[0].cameras[] | select(.id == "control")) as $s | ($b[0].cameras[] | select(.id == "control")) as $e
  | ($o[0].cameras[] | select(.id == "control")) as $m
  | ($e.reconnects == $s.reconnects and $e.last_close == null and $m.fps_out >= 0.8 * $fps)')
[[ $ctrl_ok == true ]] && echo "PASS the control camera was not hit" || { echo "FAIL control camera"; ok=0; }
(( ok )) || exit 1

#!/usr/bin/env bash
# Issue #24: "a dead webhook receiver changes neither result latency p99 nor memory beyond the stated
# bound", under full server load. The real server (YuNet, zones on every stream, events.enterFrames and
# leaveFrames 1 so faces crossing 32 stripe zones make an event storm) with its webhook pointed at, in
# turn: a live receiver (nginx answering 204), a refused port (nothing listens) and a blackhole (a
# socket that accepts into its backlog and never answers: every POST waits out the 5 s timeout).
# Rounds interleave the three; each is a fresh server under the same load generator run.
# Per run: result p50/p99 (load generator), events made, delivered, dropped, backlog, and the server's
# heap after a full GC and its RSS. The stated bound: events.queue events per sink, each <= 1 KiB.
# Env (defaults): STREAMS=8, FPS=15, DURATION=60 (s), ROUNDS=3, QUEUE=1000, SIZE=640x360, WORKERS=2,
# PORT=20400, ADMIN_PORT=20410, LIVE_PORT=20401, REFUSED_PORT=20402, HOLE_PORT=20403 (all free).
set -euo pipefail
PORT=${PORT:-20400}
source "$(dirname "$0")/lib.sh"
STREAMS=${STREAMS:-8}; FPS=${FPS:-15}; SECONDS_RUN=${DURATION:-60}; ROUNDS=${ROUNDS:-3}; QUEUE=${QUEUE:-1000}
SIZE=${SIZE:-640x360}; WORKERS=${WORKERS:-2}
ADMIN_PORT=${ADMIN_PORT:-20410}; LIVE_PORT=${LIVE_PORT:-20401}; REFUSED_PORT=${REFUSED_PORT:-20402}; HOLE_PORT=${HOLE_PORT:-20403}
JCMD=$JAVA_HOME/bin/jcmd
build_jar
D=$OUT/deadhook
mkdir -p "$D"
for p in "$ADMIN_PORT" "$LIVE_PORT" "$REFUSED_PORT" "$HOLE_PORT"; do
    if port_open "$p"; then echo "port $p is in use" >&2; exit 2; fi
done

# Frames with faces that move: Megamind, at the size a camera sends.
FR=$D/frames-$SIZE
if (( $(ls "$FR"/*.jpg 2>/dev/null | wc -l) < 200 )); then
    rm -rf "$FR"
    loadgen --source "$SHARED/testdata/Megamind.avi" --size "$SIZE" --quality 80 --frames 300 --extract "$FR" >&2
fi

# 32 vertical stripes per stream (the most a stream may have), 20 px wide at 640: every face moving or
# jittering across a stripe's edge enters one and leaves another, an event storm well above a real scene's.
zones='{"zones":['
for z in $(seq 0 31); do
    x0=$(awk -v z="$z" 'BEGIN {printf "%.5f", z / 32}'); x1=$(awk -v z="$z" 'BEGIN {printf "%.5f", (z + 1) / 32}')
    zones+="{\"name\":\"s$z\",\"polygon\":[[$x0,0],[$x1,0],[$x1,1],[$x0,1]],\"labels\":[\"face\"]}"
    (( z < 31 )) && zones+=','
done
zones+=']}'
{ echo '{'; for s in $(seq 0 $((STREAMS - 1))); do echo "\"ev-$s\": $zones$([[ $s -lt $((STREAMS - 1)) ]] && echo ,)"; done; echo '}'; } >"$D/zones.json"
jq -e . "$D/zones.json" >/dev/null

# The live receiver: nginx, 204 to every POST.
mkdir -p "$D/nginx/logs"
cat >"$D/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $PWD/$D/nginx/logs/error.log;
pid $PWD/$D/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $PWD/$D/nginx/body;
    server { listen 127.0.0.1:$LIVE_PORT; location /hook { return 204; } }
}
CONF
nginx -p "$PWD/$D/nginx" -c "$PWD/$D/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=("$!")
# The blackhole: listens, never accepts, never answers (connections complete in the kernel's backlog).
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $HOLE_PORT)); s.listen(4096)
time.sleep(10 ** 9)" &
PIDS+=("$!")
for _ in $(seq 1 50); do port_open "$LIVE_PORT" && port_open "$HOLE_PORT" && break; sleep 0.1; done

metric() { # metric NAME LABELMATCH : the sum of the samples of NAME whose labels contain LABELMATCH
    awk -v n="$1" -v l="$2" '$1 ~ "^"n"[{ ]" || $1 == n { if (index($1, l)) s += $2 } END {printf "%d", s}' "$D/metrics.txt"
}

echo "variant round p50_ms p99_ms results_per_s made delivered dropped backlog heap_mb rss_mb"
RESULTS=$D/results.txt
: >"$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
    variants=(live refused blackhole)
    (( r % 3 == 2 )) && variants=(refused blackhole live)
    (( r % 3 == 0 )) && variants=(blackhole live refused)
    for v in "${variants[@]}"; do
        case $v in
            live) hook=$LIVE_PORT ;; refused) hook=$REFUSED_PORT ;; blackhole) hook=$HOLE_PORT ;;
        esac
        start_server "deadhook-$v-$r" --host 127.0.0.1 --admin.port "$ADMIN_PORT" --detector yunet \
            --model "$SHARED/models/yunet_s_640_640.onnx" --workers "$WORKERS" --gating.enabled false \
            --events.zonesFile "$PWD/$D/zones.json" --events.enterFrames 1 --events.leaveFrames 1 \
            --events.queue "$QUEUE" --events.webhook "http://127.0.0.1:$hook/hook" --events.webhookSecret benchsecret
        run_loadgen "deadhook-$v-$r" --source "$FR" --streams "$STREAMS" --fps "$FPS" --prefix ev- --ramp 2s \
            --warmup 5s --duration "${SECONDS_RUN}s" --drain 1s 2>/dev/null
        curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" >"$D/metrics.txt"
        "$JCMD" "$SERVER_PID" GC.run >/dev/null
        heap=$("$JCMD" "$SERVER_PID" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?$/, "", v); printf "%.1f", v / 1024; exit}}')
        rss=$(rss_mb "$SERVER_PID")
        J=$OUT/deadhook-$v-$r.json
        line="$v $r $(jq -r '"\(.latency_ms.p50) \(.latency_ms.p99) \(.results_per_s)"' "$J") $(metric framewire_events_total '') \
$(metric framewire_events_delivered_total webhook) $(metric framewire_events_dropped_total webhook) \
$(metric framewire_events_backlog webhook) $heap $rss"
        echo "$line" | tee -a "$RESULTS"
        stop_server
    done
done
echo
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "medians over $ROUNDS rounds:"
for v in live refused blackhole; do
    col() { awk -v v="$v" -v c="$1" '$1 == v {print $c}' "$RESULTS" | median; }
    echo "$v: p50 $(col 3) ms  p99 $(col 4) ms  results/s $(col 5)  events made $(col 6)  delivered $(col 7)  dropped $(col 8)  backlog $(col 9)  heap $(col 10) MB  rss $(col 11) MB"
done

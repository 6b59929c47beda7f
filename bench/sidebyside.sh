#!/usr/bin/env bash
# framewire side by side with the design it replaces (bench/peers/fastapi_peer.py: FastAPI + Uvicorn,
# one coroutine per stream, Gunicorn workers for cores), the same load generator against both, in one
# run, interleaved (framewire, then the peer, for every load):
#   transport:  STREAMS x FPS (1,000 x 15), no inference: framewire --detector none / the peer without
#               decode or forward pass; 1 and 2 workers (framewire --workers, the peer gunicorn -w)
#   processing: P_STREAMS x FPS (200 x 15: 10x what one framewire worker answers), YuNet on CPU, one
#               OpenCV thread per worker; 1 and 2 workers; the peer once per PEER_MODES (inline: the
#               forward pass on the event loop; thread: asyncio.to_thread)
#   sweep:      1 worker, offered load from SWEEP_P_STREAMS (processing) and SWEEP_T_STREAMS (transport)
#               streams x FPS, plus the 1-worker points above: latency p50/p99 against offered load,
#               drawn into CHART (matplotlib) by bench/peers/plot_sidebyside.py.
# Both sides get Redis (REDIS=1, default): framewire --redis, the peer its per-client "connected" key.
# Prints a Markdown table (also in $OUT/sidebyside.md) and leaves every row in $OUT/sidebyside.tsv.
# Server CPU and memory count the whole process tree (gunicorn's master and its workers).
# Env: PORT, REDIS_PORT, JAR, PYTHON (default /usr/bin/python3: Debian's fastapi/uvicorn/opencv), DURATION,
# RAMP, WARMUP, DRAIN, SWEEP_DURATION, BASELINE_SECONDS, CHART ("" skips the chart), STRICT=1 (exit 1 on
# any FAIL line: CI's smoke run; otherwise a peer that falls over is a result, not an error).
# Uses bench/lib.sh's build_jar, ensure_frames ($FRAMES), start_redis, start_server, start_listener,
# run_loadgen (SERVER_CPU_S, LOADGEN_CPU_S, OTHER_CPU_S, REDIS_CPU_S), stop_server, check, and
# overrides its cpu_seconds to count a process tree.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STREAMS=${STREAMS:-1000}
P_STREAMS=${P_STREAMS:-200}
FPS=${FPS:-15}
DURATION=${DURATION:-20}
RAMP=${RAMP:-5}
WARMUP=${WARMUP:-3}
DRAIN=${DRAIN:-5}
BASELINE_SECONDS=${BASELINE_SECONDS:-10}
SWEEP_DURATION=${SWEEP_DURATION:-8}
WORKER_COUNTS=${WORKER_COUNTS:-1 2}
PEER_MODES=${PEER_MODES:-inline thread}
SWEEP_P_STREAMS=${SWEEP_P_STREAMS-5 20 50}   # "" for none
SWEEP_T_STREAMS=${SWEEP_T_STREAMS-100 400}
MODEL=$(readlink -f "${MODEL:-$SHARED/models/yunet_s_640_640.onnx}")
PYTHON=${PYTHON:-/usr/bin/python3}
GUNICORN=${GUNICORN:-/usr/bin/gunicorn}
CHART=${CHART-src/site/images/sidebyside.png}
export REDIS=${REDIS:-1}
TSV=$OUT/sidebyside.tsv
MD=$OUT/sidebyside.md

"$PYTHON" -c 'import fastapi, uvicorn, cv2, redis' 2>/dev/null \
    || { echo "need $PYTHON with fastapi, uvicorn, opencv, redis (Debian: python3-fastapi python3-uvicorn python3-opencv python3-redis)" >&2; exit 2; }
[[ -x $GUNICORN ]] || { echo "need gunicorn (Debian: gunicorn)" >&2; exit 2; }
[[ -f $MODEL ]] || { echo "no YuNet model at $MODEL" >&2; exit 2; }

# The server's whole process tree: gunicorn's workers are children of the master, and run_loadgen
# samples CPU through cpu_seconds at the window's edges (only there, so the forks here cost nothing
# inside the window). cutime+cstime keep a worker that gunicorn killed and reaped in the sum.
tree_pids() {
    local p=$1 c
    echo "$p"
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree_pids "$c"; done
}
cpu_seconds() {
    local p total=0
    for p in $(tree_pids "$1"); do
        total=$(awk -v t="$CLK_TCK" -v s="$total" '{sub(/.*\) /, ""); printf "%.2f\n", s + ($12 + $13 + $14 + $15) / t}' "/proc/$p/stat" 2>/dev/null || echo "$total")
    done
    echo "$total"
}
tree_rss_mb() {
    local p total=0
    for p in $(tree_pids "$1"); do
        total=$(awk -v s="$total" '/^VmRSS:/ {x = $2} END {printf "%.1f\n", s + x / 1024}' "/proc/$p/status" 2>/dev/null || echo "$total")
    done
    echo "$total"
}
# Peak RSS of the tree while the load generator runs, every 2 s, into $1 (one number per line).
rss_sampler() {
    local file=$1
    : >"$file"
    while kill -0 "$SERVER_PID" 2>/dev/null; do tree_rss_mb "$SERVER_PID" >>"$file"; sleep 2; done
}

start_framewire() { # NAME WORKERS ARGS...
    local name=$1 w=$2; shift 2
    start_server "$name" --workers "$w" "${REDIS_ARGS[@]}" "$@"
}
start_peer() { # NAME WORKERS DETECTOR MODE
    local name=$1 w=$2 det=$3 mode=$4
    start_listener "$name" env PEER_DETECTOR="$det" PEER_MODE="$mode" PEER_MODEL="$MODEL" PEER_CV_THREADS=1 \
        PEER_REDIS="${REDIS_PORT:+redis://127.0.0.1:$REDIS_PORT}" \
        "$PYTHON" "$GUNICORN" -w "$w" -k uvicorn.workers.UvicornWorker -b "127.0.0.1:$PORT" --backlog 2048 \
        --chdir "$(dirname "$0")/peers" fastapi_peer:app
    # the master listens before its workers have imported the app: wait for every worker, or the
    # first one up would take all the early connections
    for _ in $(seq 1 600); do
        (( $(grep -c 'Application startup complete' "$OUT/$name.log") >= w )) && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "peer workers did not start; see $OUT/$name.log" >&2; tail -20 "$OUT/$name.log" >&2; exit 1
}

# measure CASE SYSTEM WORKERS MODE STREAMS LOADGEN_ARGS... : one run against the server on $PORT,
# appended to $TSV; stops the server.
measure() {
    local case=$1 sys=$2 w=$3 mode=$4 n=$5; shift 5
    local name="sbs-$case-$sys-w$w-$mode-$n"
    local load rss0 rsspid
    read -r load _ </proc/loadavg
    sleep 1 # let the server settle after its startup before the idle RSS
    rss0=$(tree_rss_mb "$SERVER_PID")
    rss_sampler "$OUT/$name.rss" &
    rsspid=$!
    run_loadgen "$name" --source "$FRAMES" --streams "$n" --fps "$FPS" "$@"
    local peak
    peak=$(sort -n "$OUT/$name.rss" | tail -1)
    kill "$rsspid" 2>/dev/null || true; wait "$rsspid" 2>/dev/null || true
    local split="-" restarts=0
    if [[ $sys == peer ]]; then # connections per gunicorn worker; workers its master killed (WORKER TIMEOUT: a loop starved 30 s)
        split=$(grep 'connection open' "$OUT/$name-server.log" | awk '{print $4}' | sort | uniq -c | awk '{printf "%s%d", (NR > 1 ? "/" : ""), $1}')
        restarts=$(( $(grep -c 'Booting worker' "$OUT/$name-server.log") - w ))
    fi
    stop_server
    local J=$OUT/$name.json
    jq -r --arg case "$case" --arg sys "$sys" --arg w "$w" --arg mode "$mode" --arg n "$n" --arg fps "$FPS" \
        --arg cpu "$SERVER_CPU_S" --arg lg "$LOADGEN_CPU_S" --arg other "$OTHER_CPU_S" --arg redis "$REDIS_CPU_S" \
        --arg rss0 "$rss0" --arg peak "${peak:-0}" --arg load "$load" --arg split "$split" --arg restarts "$restarts" '
        [$case, $sys, $w, $mode, $n, ($n | tonumber) * ($fps | tonumber), .results_per_s, .frames_sent_per_s,
         .latency_ms.p50, .latency_ms.p99, .window_s, .results, .dropped, .errors, .send_skipped,
         .accounting.unanswered, .connections.open_at_window_start, .connections.connect_failures + .connections.unexpected_closes,
         $cpu, (if .results > 0 then ($cpu | tonumber) * 1e6 / .results else 0 end),
         $rss0, $peak, ((($peak | tonumber) - ($rss0 | tonumber)) * 1024 / ($n | tonumber)),
         $lg, $other, $redis, $load, $split, $restarts, .accounting.streams_mismatched, .accounting.streams_checked, .connections.open_at_window_end] | @tsv' "$J" >>"$TSV"
    echo -n "$(date -u +%H:%M:%S) "; tail -1 "$TSV" | awk -F'\t' '{printf "%-10s %-9s w%s %-6s %4d streams: %8.1f results/s (sent %.1f/s), p50 %s ms, p99 %s ms, server %.0f us CPU/result, +%.1f KiB/conn, load %s, conns per worker %s, worker restarts %s\n",
        $1, $2, $3, $4, $5, $7, $8, $9, $10, $20, $23, $27, $28, $29}'
    # what must hold on any machine: the protocol spoken (every frame accounted for by seq) and, unless
    # the server fell over, every connection open
    check "$case $sys w$w $mode: seq accounting" "$(jq '(.accounting.streams_mismatched == 0 and .accounting.streams_checked > 0 and .results > 0) | if . then 1 else 0 end' "$J")" \
        "$(jq -r '"\(.results) results, \(.accounting.streams_mismatched) of \(.accounting.streams_checked) streams mismatched"' "$J")"
    check "$case $sys w$w $mode: connections" "$(jq --arg n "$n" '(.connections.open_at_window_start == ($n | tonumber) and .connections.connect_failures + .connections.unexpected_closes == 0) | if . then 1 else 0 end' "$J")" \
        "$(jq -r '"open \(.connections.open_at_window_start), failures \(.connections.connect_failures), unexpected closes \(.connections.unexpected_closes)"' "$J") worker restarts $restarts"
}

build_jar
ensure_frames
start_redis
printf '%s\n' case system workers mode streams offered_fps results_per_s sent_per_s p50_ms p99_ms window_s results dropped errors \
    send_skipped unanswered open failures server_cpu_s cpu_us_per_result rss_idle_mb rss_peak_mb kib_per_conn \
    loadgen_cpu_s other_cpu_s redis_cpu_s loadavg conns_per_worker worker_restarts streams_mismatched streams_checked open_at_end | paste -sd '\t' >"$TSV"
echo "sidebyside: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); framewire $JAR; peer: $("$PYTHON" -c 'import fastapi, uvicorn, cv2; print("fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__, "opencv", cv2.__version__)'), gunicorn $("$GUNICORN" --version | awk '{print $NF}' | tr -d ')')" >&2

# The peer's OpenCV alone: the same decode + forward pass + post-processing in one thread, no network.
PEER_BASE=$(PEER_MODEL="$MODEL" "$PYTHON" "$(dirname "$0")/peers/fastapi_peer.py" --bench "$FRAMES" "$BASELINE_SECONDS")
echo "peer standalone (one thread, no network, ${BASELINE_SECONDS} s): $PEER_BASE" >&2

T_ARGS=(--ramp "${RAMP}s" --warmup "${WARMUP}s" --duration "${DURATION}s")
P_ARGS=(--ramp "${RAMP}s" --warmup "${WARMUP}s" --duration "${DURATION}s" --drain "${DRAIN}s")
S_ARGS=(--ramp 3s --warmup 4s --duration "${SWEEP_DURATION}s" --drain 3s)

for W in $WORKER_COUNTS; do
    start_framewire "sbs-transport-framewire-w$W-server" "$W" --detector none
    measure transport framewire "$W" - "$STREAMS" "${T_ARGS[@]}"
    start_peer "sbs-transport-peer-w$W-inline-$STREAMS-server" "$W" none inline
    measure transport peer "$W" inline "$STREAMS" "${T_ARGS[@]}"
done
for W in $WORKER_COUNTS; do
    start_framewire "sbs-processing-framewire-w$W-server" "$W" --detector yunet --model "$MODEL" --gating.enabled false
    measure processing framewire "$W" - "$P_STREAMS" "${P_ARGS[@]}"
    for M in $PEER_MODES; do
        start_peer "sbs-processing-peer-w$W-$M-$P_STREAMS-server" "$W" yunet "$M"
        measure processing peer "$W" "$M" "$P_STREAMS" "${P_ARGS[@]}"
    done
done
for N in $SWEEP_P_STREAMS; do
    start_framewire "sbs-sweep-p-framewire-$N-server" 1 --detector yunet --model "$MODEL" --gating.enabled false
    measure sweep-p framewire 1 - "$N" "${S_ARGS[@]}"
    start_peer "sbs-sweep-p-peer-w1-inline-$N-server" 1 yunet inline
    measure sweep-p peer 1 inline "$N" "${S_ARGS[@]}"
done
for N in $SWEEP_T_STREAMS; do
    start_framewire "sbs-sweep-t-framewire-$N-server" 1 --detector none
    measure sweep-t framewire 1 - "$N" "${S_ARGS[@]}"
    start_peer "sbs-sweep-t-peer-w1-inline-$N-server" 1 none inline
    measure sweep-t peer 1 inline "$N" "${S_ARGS[@]}"
done

{
    echo "| load | system | workers | results/s | p50 ms | p99 ms | server CPU per result | memory per connection | answered / sent | open at start / end | worker restarts |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    awk -F'\t' 'NR > 1 && ($1 == "transport" || $1 == "processing") {
        load = ($1 == "transport" ? sprintf("transport, %d x %d FPS, no inference", $5, $6 / $5) : sprintf("YuNet, %d x %d FPS", $5, $6 / $5))
        sys = ($2 == "framewire" ? "framewire" : "FastAPI peer (" $4 ")")
        printf "| %s | %s | %s | %.0f | %.1f | %.0f | %.0f us | %.1f KiB | %.1f %% | %d / %d of %d | %s |\n", load, sys, $3, $7, $9, $10, $20, $23,
            ($8 > 0 ? 100 * $7 / $8 : 0), $17, $32, $5, ($2 == "framewire" ? "-" : $29) }' "$TSV"
} | tee "$MD"
echo "machine: $(nproc) cores; load average at each run's start in $TSV; peer standalone: $PEER_BASE" | tee -a "$MD"

if [[ -n $CHART ]]; then
    "$PYTHON" "$(dirname "$0")/peers/plot_sidebyside.py" "$TSV" "$CHART" "$P_STREAMS" "$STREAMS"
    echo "chart: $CHART" >&2
fi
# The peer falling over under load is a finding, not an error of this script; STRICT=1 (CI's smoke run)
# fails on any FAIL line.
if [[ ${STRICT:-0} == 1 ]]; then exit "$FAILED"; fi

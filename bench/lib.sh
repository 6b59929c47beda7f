# shellcheck shell=bash disable=SC2034  # it sets variables for the scripts that source it
# Shared helpers for the bench scripts; source it, don't run it.
# Env: JAVA_HOME, PORT, JAR (the server, default target/framewire.jar), BENCH_JAR (the tools: load generator,
# StandaloneBench, ...; default bench/target/framewire-bench.jar), SHARED (default ../shared),
# CLIENT (load generator's WebSocket client: nio or jetty, default nio), SERVER_JAVA_OPTS, LOADGEN_JAVA_OPTS,
# REDIS (1: start a redis-server on $REDIS_PORT, default 6399, and give the server --redis).

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit    # repo root
OUT=bench/out
SHARED=${SHARED:-../shared}
PORT=${PORT:-8080}
JAR=${JAR:-target/framewire.jar}
# The load generator opens every camera from one loopback address: lift the per-address cap
# (limits.maxConnectionsPerIp, 256) for the servers a benchmark starts. An environment variable, so
# older jars (base builds) that lack the setting ignore it; attacks.sh unsets it to test the cap.
export FRAMEWIRE_LIMITS_MAXCONNECTIONSPERIP=${FRAMEWIRE_LIMITS_MAXCONNECTIONSPERIP:-1000000}
BENCH_JAR=${BENCH_JAR:-bench/target/framewire-bench.jar}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--Xmx1g}
CLIENT=${CLIENT:-nio}
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$OUT"

# JDK >= 21, preferring the one CI uses when the default java is older.
java_major() { "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'; }
if [[ -z "${JAVA_HOME:-}" || $(java_major "$JAVA_HOME/bin/java") -lt 21 ]]; then
    if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
        export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
    elif command -v java >/dev/null && [[ $(java_major java) -ge 21 ]]; then
        JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
        export JAVA_HOME
    else
        echo "need a JDK >= 21: set JAVA_HOME" >&2; exit 2
    fi
fi
JAVA=$JAVA_HOME/bin/java
command -v jq >/dev/null || { echo "need jq" >&2; exit 2; }

# 1,000+ sockets per process: each side needs that many descriptors (raise the soft limit only).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < 4096 )); then
    echo "warning: ulimit -n is $(ulimit -n); 1,000 streams need ~1,100 descriptors per process" >&2
fi

PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# build_jar: the server jar ($JAR) and the tools jar ($BENCH_JAR), each built when missing (the default paths
# only). The tools build against the server just built: `mvn verify -DskipTests` makes both.
build_jar() {
    if [[ ! -f $BENCH_JAR && $BENCH_JAR == bench/target/framewire-bench.jar ]]; then
        echo "building $BENCH_JAR (and target/framewire.jar) ..." >&2
        mvn -B -q verify -DskipTests >&2
    elif [[ ! -f $JAR && $JAR == target/framewire.jar ]]; then
        echo "building $JAR ..." >&2
        mvn -B -q package -DskipTests
    fi
    [[ -f $JAR ]] || { echo "no $JAR" >&2; exit 2; }
    [[ -f $BENCH_JAR ]] || { echo "no $BENCH_JAR" >&2; exit 2; }
}

# The tools (bench/pom.xml), in the foreground. A script that runs one in the background writes the java
# command out (as run_loadgen does), so that $! is the JVM's own pid.
# loadgen ARGS... : the load generator (run_loadgen also samples its CPU).
loadgen() { "$JAVA" $LOADGEN_JAVA_OPTS -jar "$BENCH_JAR" loadgen "$@"; }
# tool NAME ARGS... : any tool of the launcher (attacks, agreement, bigframes, gatecost, jettysink, ...).
tool() { "$JAVA" -jar "$BENCH_JAR" "$@"; }
# standalone ARGS... : StandaloneBench on the inference code of $JAR (the server jar first on the class path).
standalone() { "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR:$BENCH_JAR" io.framewire.bench.Tools standalone "$@"; }

# 300 JPEGs at 320x240/q80 from the pedestrian video, extracted once.
ensure_frames() {
    FRAMES=$OUT/frames
    if (( $(ls "$FRAMES"/*.jpg 2>/dev/null | wc -l) < 300 )); then
        rm -rf "$FRAMES"
        loadgen --source "$SHARED/testdata/vtest.avi" --size 320x240 --quality 80 --frames 300 --extract "$FRAMES" >&2
    fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_server LOGNAME ARGS... : starts the server on $PORT, waits until it accepts; sets SERVER_PID.
start_server() {
    local name=$1; shift
    start_listener "$name" "$JAVA" $SERVER_JAVA_OPTS -jar "$JAR" --port "$PORT" "$@"
}

# start_listener LOGNAME COMMAND... : any server process that listens on $PORT (start_server's body).
start_listener() {
    local log=$OUT/$1.log; shift
    if port_open "$PORT"; then echo "port $PORT is already in use" >&2; exit 2; fi
    "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    for _ in $(seq 1 600); do
        if port_open "$PORT"; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server exited during startup; last lines of $log:" >&2; tail -20 "$log" >&2; exit 1
        fi
        sleep 0.1
    done
    echo "server did not open port $PORT within 60 s" >&2; exit 1
}

# REDIS=1: a private redis-server (no persistence) on $REDIS_PORT; sets REDIS_PID and REDIS_ARGS.
REDIS_ARGS=()
start_redis() {
    [[ ${REDIS:-0} == 1 ]] || return 0
    command -v redis-server >/dev/null || { echo "REDIS=1 needs redis-server (apt-get install redis-server)" >&2; exit 2; }
    REDIS_PORT=${REDIS_PORT:-6399}
    if port_open "$REDIS_PORT"; then echo "port $REDIS_PORT is already in use" >&2; exit 2; fi
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$OUT/redis.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    for _ in $(seq 1 100); do
        [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && { REDIS_ARGS=(--redis "redis://127.0.0.1:$REDIS_PORT"); return 0; }
        sleep 0.1
    done
    echo "redis-server did not start; see $OUT/redis.log" >&2; exit 1
}

# One INFO field of the bench's Redis.
redis_info() { redis-cli -p "$REDIS_PORT" info "$1" | tr -d '\r' | awk -F: -v k="$2" '$1 == k {print $2}'; }

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

# CPU seconds (user+sys) a process has used so far.
cpu_seconds() { awk -v t="$CLK_TCK" '{sub(/.*\) /, ""); printf "%.2f\n", ($12 + $13) / t}' "/proc/$1/stat"; }
# Machine-wide CPU seconds: "tasks irq" where tasks = user+nice+system+steal (all processes, plus time
# the hypervisor took) and irq = irq+softirq (much of the loopback network stack; charged to no process).
machine_seconds() { awk -v t="$CLK_TCK" '/^cpu / {printf "%.2f %.2f\n", ($2 + $3 + $4 + $9) / t, ($7 + $8) / t; exit}' /proc/stat; }
rss_mb() { awk '/^VmRSS:/ {printf "%.1f\n", $2 / 1024}' "/proc/$1/status"; }

# run_loadgen NAME ARGS... : runs the load generator ($CLIENT client) against $PORT, sampling the CPU
# of both processes from /proc at the edges of the measured window. Leaves the summary in
# $OUT/NAME.json, and SERVER_CPU_S, LOADGEN_CPU_S, IRQ_CPU_S and OTHER_CPU_S (CPU seconds in the
# window; other: the rest of the machine, which should be near 0 for numbers worth keeping).
run_loadgen() {
    local name=$1; shift
    local err=$OUT/$name.loadgen.log json=$OUT/$name.json
    rm -f "$json" "$OUT/$name.redis-ops"; : >"$err"
    "$JAVA" $LOADGEN_JAVA_OPTS -jar "$BENCH_JAR" loadgen --url "ws://127.0.0.1:$PORT" --client "$CLIENT" \
        --json "$json" "$@" >/dev/null 2>"$err" &
    local lg=$!
    PIDS+=("$lg")
    local s0="" s1="" l0="" l1="" m0="" m1="" r0=0 r1=0 c0=0 c1=0 n=0 tick lines
    # The poll forks nothing (mapfile, read -t on a pipe no one writes): forking grep and sleep ten
    # times a second cost the 1-worker processing run ~10 % of its frames on a 2-core machine.
    exec {tick}<> <(:)
    while kill -0 "$lg" 2>/dev/null; do
        mapfile -t lines <"$err"
        if [[ -z $s0 && "${lines[*]}" == *"measuring window started"* ]]; then
            s0=$(cpu_seconds "$SERVER_PID"); l0=$(cpu_seconds "$lg"); m0=$(machine_seconds)
            if [[ -n ${REDIS_PID:-} ]]; then r0=$(cpu_seconds "$REDIS_PID"); c0=$(redis_info stats total_commands_processed); fi
        fi
        if [[ -z $s1 && "${lines[*]}" == *"measuring window ended"* ]]; then
            s1=$(cpu_seconds "$SERVER_PID"); l1=$(cpu_seconds "$lg"); m1=$(machine_seconds)
            if [[ -n ${REDIS_PID:-} ]]; then r1=$(cpu_seconds "$REDIS_PID"); c1=$(redis_info stats total_commands_processed); fi
        fi
        if [[ -n ${REDIS_PID:-} && -n $s0 && -z $s1 ]] && (( n++ % 10 == 0 )); then
            echo "$(redis_info stats instantaneous_ops_per_sec)" >>"$OUT/$name.redis-ops"
        fi
        read -rt 0.1 -u "$tick" _ || true
    done
    exec {tick}<&-
    wait "$lg" || { echo "loadgen failed; see $err" >&2; tail -5 "$err" >&2; exit 1; }
    grep '^\[loadgen\] t=' "$err" >&2 || true
    SERVER_CPU_S=$(awk -v a="${s0:-0}" -v b="${s1:-0}" 'BEGIN {printf "%.2f", b - a}')
    LOADGEN_CPU_S=$(awk -v a="${l0:-0}" -v b="${l1:-0}" 'BEGIN {printf "%.2f", b - a}')
    REDIS_CPU_S=$(awk -v a="$r0" -v b="$r1" 'BEGIN {printf "%.2f", b - a}')
    REDIS_COMMANDS=$(( c1 - c0 ))
    read -r IRQ_CPU_S OTHER_CPU_S < <(awk -v a="${m0:-0 0}" -v b="${m1:-0 0}" -v s="$SERVER_CPU_S" -v l="$LOADGEN_CPU_S" -v r="$REDIS_CPU_S" \
        'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.2f %.2f\n", y[2] - x[2], y[1] - x[1] - s - l - r}')
}

# check LABEL OK(0/1) DETAIL : prints a PASS/FAIL line and remembers failures.
FAILED=0
check() {
    if [[ $2 == 1 ]]; then echo "PASS  $1  ($3)"; else echo "FAIL  $1  ($3)"; FAILED=1; fi
}

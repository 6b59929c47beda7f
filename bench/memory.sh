#!/usr/bin/env bash
# Memory per connection: server RSS idle vs with STREAMS connected idle streams (--fps 0),
# each measured after a full GC settles. Target: delta <= 150 MB for 1,000 streams.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STREAMS=${STREAMS:-1000}
RAMP=${RAMP:-10}
SETTLE=${SETTLE:-3}
TARGET_MB=${TARGET_MB:-150}
JCMD=$JAVA_HOME/bin/jcmd

build_jar
ensure_frames
start_server memory-server --detector none --workers 1

settle() { "$JCMD" "$SERVER_PID" GC.run >/dev/null; sleep "$SETTLE"; }
sleep "$SETTLE"
settle
IDLE=$(rss_mb "$SERVER_PID")
echo "idle server RSS: $IDLE MB"

# Long enough window to take the measurement while every stream is connected.
LG_LOG=$OUT/memory.loadgen.log
"$JAVA" $LOADGEN_JAVA_OPTS -jar "$BENCH_JAR" loadgen --url "ws://127.0.0.1:$PORT" --client "$CLIENT" \
    --source "$FRAMES" --streams "$STREAMS" --fps 0 --ramp "${RAMP}s" --warmup 2s --duration 30s \
    --drain 0s --json "$OUT/memory.json" >/dev/null 2>"$LG_LOG" &
LG=$!
PIDS+=("$LG")
until grep -q "measuring window started" "$LG_LOG"; do
    kill -0 "$LG" 2>/dev/null || { echo "loadgen exited early; see $LG_LOG" >&2; exit 1; }
    sleep 0.2
done
grep "measuring window started" "$LG_LOG"
settle
LOADED=$(rss_mb "$SERVER_PID")
kill "$LG" 2>/dev/null || true
wait "$LG" 2>/dev/null || true

OPEN=$(sed -n 's/.*measuring window started: open=\([0-9]*\).*/\1/p' "$LG_LOG")
DELTA=$(awk -v a="$LOADED" -v b="$IDLE" 'BEGIN {printf "%.1f", a - b}')
PER=$(awk -v d="$DELTA" -v n="$OPEN" 'BEGIN {printf "%.1f", (n ? d * 1024 / n : 0)}')
echo "server RSS with $OPEN idle streams: $LOADED MB; delta $DELTA MB = $PER KiB per stream"
check "all $STREAMS streams connected" "$(( OPEN == STREAMS ))" "$OPEN"
check "RSS delta <= $TARGET_MB MB" "$(awk -v a="$DELTA" -v b="$TARGET_MB" 'BEGIN {print (a <= b)}')" "$DELTA MB"
exit "$FAILED"

#!/usr/bin/env bash
# Issue #24: what zone events cost on the frame path. 200 streams with 4 zones each at 15 FPS,
# 3 faces walking per stream, paced in real time on one thread; blocks with and without the
# events listener interleaved; every event also offered to a webhook sink whose receiver is dead.
# Target: <= 5 % of a core. Env (defaults): STREAMS=200, FPS=15, TRACKS=3, SECONDS=5, ROUNDS=3,
# DEAD_PORT=18401 (nothing may listen there).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [[ ! -d target/classes/io/framewire/events ]]; then
    mvn -B -q -o compile -Dinvoker.skip=true
fi
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$OUT/events-cp.txt" >/dev/null
CP="target/classes:$(cat "$OUT/events-cp.txt")"
"$JAVA" -Xmx512m -cp "$CP" -Dstreams="${STREAMS:-200}" -Dfps="${FPS:-15}" -Dtracks="${TRACKS:-3}" \
    -Dseconds="${SECONDS_PER_BLOCK:-5}" -Drounds="${ROUNDS:-3}" -DdeadPort="${DEAD_PORT:-18401}" \
    bench/events/EventsCost.java

#!/usr/bin/env bash
# Issue 12's attacks (then issue 25's, below; ONLY25=1 runs only those), each beside a victim stream, against the packaged jar started with the shipped
# JVM options (systemd/framewire.env's JAVA_OPTS: 2 GiB heap, 1 GiB direct, ExitOnOutOfMemoryError)
# and its detector, with authentication on (a random HS256 secret: the attacks use a valid token,
# as the issue's attacker may). Prints one row per attack: memory before/peak/after (RSS of the
# process; direct from jvm_buffer_pool_used_bytes), the victim's answers (>= 80 %; >= 50 % and
# p50 <= 1 s for M2), what the attacker got, and a verdict. The client is the tools jar's `attacks` (bench/src/main/java/io/framewire/bench/Attacks.java).
# Beyond the shipped settings: --watchers.max 40 (L2 opens 50), --results.retentionSec 10 (M5 waits
# for it), --security.jwt.maxLifetimeS 86400 (M3), an admin port (M4, and where metrics are read).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
unset FRAMEWIRE_LIMITS_MAXCONNECTIONSPERIP # D2 tests the per-address cap at its default
ADMIN_PORT=${ADMIN_PORT:-$((PORT + 1))}

build_jar
env_file=systemd/framewire.env
opts=$(sed -n 's/^JAVA_OPTS=//p' "$env_file")
cache=$(mktemp -d); trap 'rm -rf "$cache"; cleanup' EXIT
SERVER_JAVA_OPTS=${opts//\/var\/lib\/framewire\/javacpp/$cache}
detector=$(sed -n 's/^FRAMEWIRE_DETECTOR=//p' "$env_file")
secret=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
export FRAMEWIRE_SECURITY_JWT_SECRET=$secret
echo "server: java $SERVER_JAVA_OPTS -jar $JAR --detector $detector ..." >&2
start_server attacks-server --host 127.0.0.1 --admin.port "$ADMIN_PORT" --detector "$detector" \
    --streams.max "$(sed -n 's/^FRAMEWIRE_STREAMS_MAX=//p' "$env_file")" \
    --security.auth jwt --security.jwt.maxLifetimeS 86400 --watchers.max 40 --results.retentionSec 10
unset FRAMEWIRE_SECURITY_JWT_SECRET

set +e
rc=0
if [[ ${ONLY25:-0} != 1 ]]; then
    tool attacks "$PORT" "$ADMIN_PORT" "$SERVER_PID" "$secret" "$OUT/attacks-server.log" \
        "$SHARED/testdata/messi5.jpg" | tee "$OUT/attacks.md"
    rc=${PIPESTATUS[0]}
fi
set -e
grep -E 'out of memory|Exception' "$OUT/attacks-server.log" | head -5 >&2 || true
stop_server

# Issue 25's attacks (byte budgets, cost, slots, advice, labels, claims): the shipped settings but for the
# admin port, with YuNet (a face detector, as the issue's mosaic of faces needs; DETECTOR25=haar for the
# shipped one), first without Redis (C1, C2, D1-D3, M1, J1), then with a private redis-server (C3, C4).
# Each row has a victim camera at 4 fps on its own address (127.0.0.2); attackers come from 127.0.0.1
# and 127.0.1.x. Bars: host alive, victim >= 90 % answered with p99 <= 250 ms.
DETECTOR25=${DETECTOR25:-yunet}
det25=(--detector "$DETECTOR25")
[[ $DETECTOR25 == yunet ]] && det25+=(--model "$SHARED/models/yunet_s_640_640.onnx")
export FRAMEWIRE_SECURITY_JWT_SECRET=$secret
start_server attacks25-server --host 127.0.0.1 --admin.port "$ADMIN_PORT" "${det25[@]}" \
    --security.auth jwt --security.jwt.maxLifetimeS 86400
set +e
tool attacks25 "$PORT" "$ADMIN_PORT" "$SERVER_PID" "$secret" "$SHARED/testdata/messi5.jpg" local | tee "$OUT/attacks25.md"
rc25=${PIPESTATUS[0]}
set -e
grep -E 'out of memory|Exception' "$OUT/attacks25-server.log" | head -5 >&2 || true
stop_server
# shellcheck disable=SC2034  # read by lib.sh's start_redis
REDIS=1
REDIS_PORT=${REDIS_PORT:-$((PORT + 2))}
start_redis
start_server attacks25-redis-server --host 127.0.0.1 --admin.port "$ADMIN_PORT" "${det25[@]}" \
    --security.auth jwt --security.jwt.maxLifetimeS 86400 "${REDIS_ARGS[@]}"
unset FRAMEWIRE_SECURITY_JWT_SECRET
set +e
tool attacks25 "$PORT" "$ADMIN_PORT" "$SERVER_PID" "$secret" "$SHARED/testdata/messi5.jpg" redis "$REDIS_PID" "$REDIS_PORT" \
    | tee "$OUT/attacks25-redis.md"
rc25r=${PIPESTATUS[0]}
set -e
grep -E 'out of memory|Exception' "$OUT/attacks25-redis-server.log" | head -5 >&2 || true
stop_server
(( rc == 0 && rc25 == 0 && rc25r == 0 ))

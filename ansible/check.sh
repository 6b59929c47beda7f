#!/usr/bin/env bash
# Checks the Ansible rollout for real on this machine:
#  1. ansible-lint (production profile) and --syntax-check of both playbooks;
#  2. site.yml run for real against the local machine (tests/local.yml: 3 framewire hosts, redis,
#     nginx, prometheus), each host in its own scratch root under $FLEET_PREFIX, twice: the first
#     run must change things, the second must report changed=0 everywhere (idempotence);
#  3. what it rendered, checked by the real tools: nginx -t, systemd-analyze verify, promtool,
#     redis-server with the generated config, and framewire itself started from the installed
#     release (jlink runtime + jar + generated env file) answering /readyz and the admin port;
#  4. nothing landed in the real /etc or /opt.
# Needs target/framewire.jar and target/framewire-runtime.tar (mvn -B package -Prelease).
set -euo pipefail
cd "$(dirname "$0")"
export ANSIBLE_CONFIG=$PWD/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export FLEET_PREFIX=${FLEET_PREFIX:-$(mktemp -d /tmp/fw-prefix.XXXXXX)}
repo=$(cd .. && pwd)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$FLEET_PREFIX"; }
trap cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }
for f in "$repo/target/framewire.jar" "$repo/target/framewire-runtime.tar"; do
    [[ -f $f ]] || fail "$f missing: run mvn -B package -Prelease first"
done
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# 1. lint and syntax
ansible-lint --version | head -1
ansible-lint --offline --profile production site.yml rolling-upgrade.yml || fail "ansible-lint --profile production"
echo "PASS ansible-lint --profile production"
for pb in site.yml rolling-upgrade.yml; do
    ansible-playbook -i inventory.example.yml --syntax-check "$pb" >/dev/null || fail "--syntax-check $pb"
done
echo "PASS ansible-playbook --syntax-check site.yml rolling-upgrade.yml"

# 2. two real runs
# recap lines: "host : ok=N changed=N unreachable=N failed=N ..."
recap() { sed -n '/PLAY RECAP/,$p' "$1" | grep -E '^[a-z0-9]+ +: ok='; }
run() {
    local log=$1
    if ! ansible-playbook -i tests/local.yml -e @tests/scratch.yml site.yml >"$log" 2>&1; then
        tail -40 "$log"; fail "site.yml run ($log)"
    fi
    recap "$log"
}
log1=$FLEET_PREFIX/run1.log log2=$FLEET_PREFIX/run2.log
run "$log1"
changed1=$(recap "$log1" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^changed=/) {sub(/changed=/, "", $i); n += $i}} END {print n + 0}')
(( changed1 > 0 )) || fail "first run changed nothing: not a fresh prefix?"
echo "PASS first run: changed=$changed1, failed=0"
run "$log2"
if recap "$log2" | grep -v 'changed=0 ' ; then
    grep -E '^changed:' -B2 "$log2" | head -20; fail "second run is not idempotent"
fi
recap "$log2" | grep -q 'failed=0' || fail "second run failed"
echo "PASS second run: changed=0 on every host (idempotent)"

# 3. the rendered fleet, checked by the real tools
lb=$FLEET_PREFIX/lb1 fw=$FLEET_PREFIX/fw1 prom=$FLEET_PREFIX/prom1 rd=$FLEET_PREFIX/redis1
nginx -q -t -p "$lb/etc/nginx" -c "$lb/etc/nginx/nginx.conf" -e "$lb/var/log/nginx/error.log" -g "pid $lb/nginx-t.pid;" \
    || fail "nginx -t on the generated config"
[[ $(grep -c '^\s*server 127.0.0.1:1808[123] max_fails=0;' "$lb/etc/nginx/framewire/upstreams.conf") == 3 ]] \
    || fail "upstreams.conf does not list the 3 inventory hosts"
echo "PASS nginx -t on the generated config; upstream = the 3 inventory hosts"

# the health agent beside NGINX: its unit verifies, and the installed script runs its own unit tests' decisions
mkdir -p "$lb/usr/lib/systemd" "$lb/usr/bin" && cp -r /lib/systemd/system "$lb/usr/lib/systemd/system"
printf '#!/bin/sh\n' > "$lb/usr/bin/python3"; chmod +x "$lb/usr/bin/python3"   # ExecStart's interpreter must exist under the root
out=$(systemd-analyze verify --man=no --root="$lb" framewire-health-agent.service 2>&1) && [[ -z $out ]] \
    || { echo "$out"; fail "systemd-analyze verify of the health agent's unit"; }
python3 "$lb/usr/local/lib/framewire/health_agent.py" --help >/dev/null || fail "the installed health agent does not start"
grep -q -- "--upstreams $lb/etc/nginx/framewire/upstreams.conf" "$lb/etc/systemd/system/framewire-health-agent.service" \
    || fail "the health agent's unit does not point at the generated upstreams.conf"
echo "PASS health agent installed beside NGINX: unit verifies, script runs, edits the generated upstreams.conf"

mkdir -p "$fw/usr/lib/systemd" && cp -r /lib/systemd/system "$fw/usr/lib/systemd/system"
out=$(systemd-analyze verify --man=no --root="$fw" framewire.service 2>&1) && [[ -z $out ]] || { echo "$out"; fail "systemd-analyze verify of the installed unit"; }
echo "PASS systemd-analyze verify of the installed unit (ExecStart resolves through current/ to the jlink runtime)"

promtool check config "$prom/etc/prometheus/prometheus.yml" >/dev/null || fail "promtool check config"
[[ $(grep -c 'targets: \["127.0.0.1:1908[123]"\]' "$prom/etc/prometheus/prometheus.yml") == 3 ]] || fail "scrape targets"
echo "PASS promtool check config; 3 framewire admin-port targets"

mkdir -p "$rd/data"
redis-server "$rd/etc/redis/redis.conf" --dir "$rd/data" --logfile "" --daemonize no >"$rd/redis.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do port_open 16379 && break; sleep 0.1; done
[[ $(redis-cli -p 16379 ping) == PONG && $(redis-cli -p 16379 config get maxmemory-policy | tail -1) == noeviction ]] \
    || { cat "$rd/redis.log"; fail "redis-server with the generated config"; }
echo "PASS redis-server runs the generated config (PONG, maxmemory-policy noeviction)"

# every FRAMEWIRE_* in the generated and the shipped env file is a setting the jar knows
known=$("$fw/opt/framewire/current/runtime/bin/java" -jar "$fw/opt/framewire/current/framewire.jar" --help \
    | sed -n 's/^  --\([A-Za-z0-9.-]*\) .*/\1/p' \
    | sed 's/[.-]/_/g' | tr a-z A-Z | sed 's/^/FRAMEWIRE_/')
[[ -n $known ]] || fail "could not read the setting names from --help"
for envf in "$fw/etc/framewire/framewire.env" "$repo/systemd/framewire.env"; do
    for v in $(grep -o '^#\?FRAMEWIRE_[A-Z0-9_]*' "$envf" | tr -d '#'); do
        grep -qx "$v" <<<"$known" || fail "$envf: $v is not a framewire setting"
    done
done
echo "PASS every FRAMEWIRE_* variable in the env files names a real setting"

# framewire from the installed release with the generated settings (JavaCPP's cache moved into the prefix)
# read like systemd's EnvironmentFile= (a value runs to the end of the line, spaces and all)
while IFS='=' read -r k v; do export "$k=$v"; done < <(grep -E '^[A-Z_][A-Z0-9_]*=' "$fw/etc/framewire/framewire.env")
JAVA_OPTS=${JAVA_OPTS//\/var\/lib\/framewire/$fw/var/lib/framewire}
# systemd's side of sd_notify (Type=notify, WatchdogSec=2s): a datagram socket that logs what the JVM sends
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
while True: print(s.recv(4096).decode().replace("\n", " "), flush=True)' "$fw/notify.sock" >"$fw/notify.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do [[ -S $fw/notify.sock ]] && break; sleep 0.1; done
NOTIFY_SOCKET=$fw/notify.sock WATCHDOG_USEC=2000000 \
"$fw/opt/framewire/current/runtime/bin/java" $JAVA_OPTS -jar "$fw/opt/framewire/current/framewire.jar" >"$fw/framewire.log" 2>&1 & fwpid=$!; pids+=("$fwpid")
for _ in $(seq 600); do port_open "$FRAMEWIRE_PORT" && break; kill -0 $fwpid 2>/dev/null || break; sleep 0.1; done
code() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
[[ $(code "http://127.0.0.1:$FRAMEWIRE_PORT/readyz") == 200 ]] || { tail "$fw/framewire.log"; fail "installed framewire /readyz"; }
# FRAMEWIRE_REDIS points at the inventory's redis host (the redis-server above, same generated port)
redis_check=$(curl -s "http://127.0.0.1:$FRAMEWIRE_PORT/readyz" | jq -r .checks.redis)
[[ $redis_check == up ]] || fail "installed framewire's Redis check says '$redis_check' (FRAMEWIRE_REDIS=$FRAMEWIRE_REDIS)"
[[ $(code "http://127.0.0.1:$FRAMEWIRE_ADMIN_PORT/metrics") == 200 && $(code "http://127.0.0.1:$FRAMEWIRE_PORT/metrics") == 404 ]] \
    || fail "admin port split (/metrics on $FRAMEWIRE_ADMIN_PORT only)"
ws=(-H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
[[ $(curl -s -o /dev/null -w '%{http_code}' "${ws[@]}" "http://127.0.0.1:$FRAMEWIRE_PORT/ws/streams/cam-1") == 401 ]] \
    || fail "authentication is not on: an upgrade without a token was not refused with 401"
for _ in $(seq 100); do (( $(grep -c '^WATCHDOG=1' "$fw/notify.log") >= 2 )) && break; sleep 0.1; done
grep -q '^READY=1 STATUS=serving' "$fw/notify.log" && (( $(grep -c '^WATCHDOG=1' "$fw/notify.log") >= 2 )) \
    || { cat "$fw/notify.log"; fail "sd_notify from the jlink runtime: no READY=1 and periodic WATCHDOG=1"; }
kill -TERM $fwpid; wait $fwpid || true
grep -q '^STOPPING=1' "$fw/notify.log" || { cat "$fw/notify.log"; fail "sd_notify: no STOPPING=1 on SIGTERM"; }
redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true
echo "PASS installed release runs: jlink runtime + jar + generated env; /readyz 200 with Redis up, /metrics only on the admin port, upgrade without a token 401"
echo "PASS sd_notify from the jlink runtime: READY=1, WATCHDOG=1 every WATCHDOG_USEC/4, STOPPING=1 on SIGTERM"

# 4. the real root untouched
for p in /etc/framewire /opt/framewire /etc/sysctl.d/60-framewire.conf /etc/systemd/system/framewire.service /etc/nginx/framewire \
         /etc/systemd/system/framewire-health-agent.service /usr/local/lib/framewire; do
    [[ ! -e $p ]] || fail "the scratch run wrote $p on the real root"
done
echo "PASS nothing written to the real /etc or /opt"

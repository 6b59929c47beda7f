#!/usr/bin/env bash
# Checks the shipped NGINX config with the real nginx binary, as an unprivileged layout in temp
# dirs (render.sh): `nginx -t` of the whole config (plain + TLS with a throwaway certificate) and
# that it bounds lingering workers (worker_shutdown_timeout),
# proof that `nginx -t` catches a broken layout, then a live instance on a loopback port that
# must keep /metrics, /status and /dashboard private, proxy the browser pages, and answer a WebSocket
# upgrade to a dead upstream with 502; then the health agent's tests (health-agent/).
set -euo pipefail
cd "$(dirname "$0")"
command -v nginx >/dev/null || { echo "FAIL nginx not installed"; exit 1; }
tmp=$(mktemp -d); pid=
cleanup() { [[ -z $pid ]] || kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ngx() { local d=$1; shift; nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g "pid $d/nginx.pid;" "$@"; }

./render.sh "$tmp/full" "10.0.0.11:8080 10.0.0.12:8080 10.0.0.13:8080"
ngx "$tmp/full" -t -q || { echo "FAIL nginx -t"; exit 1; }
echo "PASS nginx -t (plain + TLS, 3 upstreams) with $(nginx -v 2>&1)"
# lingering workers are bounded (issue #25 F4): the effective config must carry the shutdown timeout
wst=$(ngx "$tmp/full" -T 2>/dev/null | awk '$1 == "worker_shutdown_timeout" {sub(/;$/, "", $2); print $2}')
if [[ -n $wst ]]; then echo "PASS worker_shutdown_timeout $wst (old workers after a reload)"; else echo "FAIL no worker_shutdown_timeout: old workers linger as long as their WebSockets"; exit 1; fi

./render.sh "$tmp/broken" "10.0.0.11:8080"
rm "$tmp/broken/framewire/upstreams.conf"
if ngx "$tmp/broken" -t -q 2>/dev/null; then echo "FAIL nginx -t accepted a config with no upstream"; exit 1; fi
echo "PASS nginx -t rejects a layout without upstreams.conf"

# live: the upstream is a port nothing listens on
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./render.sh "$tmp/live" "127.0.0.1:1" "127.0.0.1:$port"
d=$tmp/live   # nginx itself in the background (not a function's subshell), so the trap's kill reaches it
nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g "pid $d/nginx.pid; daemon off;" & pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
fails=0
expect() { # expect WANT LABEL CURL-ARGS...
    local want=$1 label=$2; shift 2
    local got; got=$(code "$@")
    if [[ $got == "$want" ]]; then echo "PASS $label -> $got"; else echo "FAIL $label -> $got (want $want)"; fails=1; fi
}
base=http://127.0.0.1:$port
expect 200 "/nginx-health" "$base/nginx-health"
expect 404 "/metrics not public" "$base/metrics"
expect 404 "/status not public" "$base/status"
expect 404 "/readyz not public" "$base/readyz"
expect 404 "/dashboard not public" "$base/dashboard"
expect 404 "/dashboard.json not public" "$base/dashboard.json"
expect 502 "publisher page / proxied" "$base/"
expect 502 "watch page proxied" "$base/watch/cam-1"
expect 502 "framewire.js proxied" "$base/framewire.js"
expect 404 "no page for a bad stream id" "$base/watch/bad%21id"
expect 400 "bad stream id refused at the edge" "$base/ws/streams/bad%21id"
ws=(-H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
expect 502 "upgrade to a dead upstream" "${ws[@]}" "$base/ws/streams/cam-1"
expect 502 "watch path proxied too" "${ws[@]}" "$base/ws/watch/cam-1"
canary=eyJhbGciOiJIUzI1NiJ9.fw-canary-token.c2ln
expect 502 "upgrade with ?token= to a dead upstream" "${ws[@]}" "$base/ws/streams/cam-2?token=$canary"
grep -q '"GET /ws/streams/cam-1 HTTP/1.1" 502 .* upstream=127.0.0.1:1.* upstream_status=502' \
    "$tmp/live/logs/access.log" \
    && echo "PASS the 502 came from the proxied connect (access log)" \
    || { echo "FAIL no proxied connects in the access log"; cat "$tmp/live/logs/access.log"; fails=1; }
if grep -rq 'fw-canary-token' "$tmp/live/logs/"; then
    echo "FAIL a token reached NGINX's logs:"; grep -rh 'fw-canary-token' "$tmp/live/logs/"; fails=1
else
    echo "PASS no token in NGINX's access or error log"
fi

# the health agent: its decisions (unit) and the agent against a real NGINX and real HTTP hosts,
# one of them SIGSTOPped (end to end)
if python3 -m unittest discover -s health-agent 2>&1 | tail -3; then
    echo "PASS health agent tests"
else
    echo "FAIL health agent tests"; fails=1
fi
exit "$fails"

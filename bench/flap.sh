#!/usr/bin/env bash
# Issue #25 F4, reproduced with real parts: NGINX with the shipped config (nginx/render.sh), three
# framewire instances on loopback ports and nginx/health-agent beside NGINX; one host is stopped and
# resumed every PERIOD s (kill -STOP / -CONT) for FLAP_FOR s while the load generator keeps adding
# cameras (connects spread over LEAD s before the flap and the whole flap, reconnecting like the
# client contract says; the LEAD cameras are established on NGINX's workers when the flap starts).
# Every 0.5 s it samples NGINX's worker processes (children of the master: the current ones and
# those still shutting down after a reload) and their RSS; the agent's log gives the reloads.
# Variants, run in turn in one run (ROUNDS times, interleaved), each with a fresh NGINX and agent:
#   undamped   the agent with --min-reload-interval 0 --hold-down 0 and NGINX without
#              worker_shutdown_timeout: the behaviour F4 found
#   damped     the shipped agent flags (framewire-health-agent.service) and nginx.conf
#   nodamp-wst --min-reload-interval 0 --hold-down 0, shipped nginx.conf: the timeout alone
# After the flap it keeps sampling for TAIL s, past the host's return (one more reload) and the
# 30 s worker_shutdown_timeout after it, to show the old workers leave and their cameras come back. Bar (issue #25): <= 3 NGINX workers at any time with the damped agent; the design
# bound in F4 is 2 generations (the current one and the one before the only reload), 2 x W workers
# for W = worker_processes (auto: one per core; NGINX_WORKERS=N overrides it in the rendered config).
# Env: VARIANTS (undamped,damped), ROUNDS (1), FLAP_FOR (60), LEAD (10), PERIOD (3), TAIL (45),
# STREAMS (90), FPS (2), NGINX_WORKERS (as shipped), BASE (22000: NGINX; +1..3 framewire, +11..13
# admin). Output: bench/out/flap-*.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

VARIANTS=${VARIANTS:-undamped,damped}
ROUNDS=${ROUNDS:-1}
FLAP_FOR=${FLAP_FOR:-60}
LEAD=${LEAD:-10}
NGINX_WORKERS=${NGINX_WORKERS:-}
PERIOD=${PERIOD:-3}
TAIL=${TAIL:-45}
STREAMS=${STREAMS:-90}
FPS=${FPS:-2}
BASE=${BASE:-22000}
NGINX_PORT=$BASE
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xmx256m}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--Xmx256m}
REPORT=$OUT/flap-report.txt
: >"$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }
check() { # as lib.sh's, into the report too
    if [[ $2 == 1 ]]; then say "PASS  $1  ($3)"; else say "FAIL  $1  ($3)"; FAILED=1; fi
}

for tool in nginx curl ps; do command -v "$tool" >/dev/null || { echo "need $tool" >&2; exit 2; }; done
build_jar
ensure_frames
fw_port() { echo $((BASE + $1)); }
fw_admin() { echo $((BASE + 10 + $1)); }
readyz() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(fw_port "$1")/readyz" || true; }
now_ms() { date +%s%3N; }

declare -A FW_PID
start_fw() {
    local i=$1
    "$JAVA" $SERVER_JAVA_OPTS -jar "$JAR" --detector none --workers 1 --host 127.0.0.1 --port "$(fw_port "$i")" \
        --admin.port "$(fw_admin "$i")" >>"$OUT/flap-fw$i.log" 2>&1 &
    FW_PID[$i]=$!; PIDS+=("${FW_PID[$i]}")
    for _ in $(seq 600); do
        [[ $(readyz "$i") == 200 ]] && return 0
        kill -0 "${FW_PID[$i]}" 2>/dev/null || { tail -20 "$OUT/flap-fw$i.log" >&2; echo "fw$i died" >&2; exit 1; }
        sleep 0.1
    done
    echo "fw$i not ready in 60 s" >&2; exit 1
}
rm -f "$OUT"/flap-fw?.log
for i in 1 2 3; do start_fw "$i"; done
UPS="127.0.0.1:$(fw_port 1) 127.0.0.1:$(fw_port 2) 127.0.0.1:$(fw_port 3)"
say "flap: $(git rev-parse --short HEAD 2>/dev/null); nginx $(nginx -v 2>&1 | sed 's/.*\///'); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine)"
say "fw2 (:$(fw_port 2)) stopped/resumed every ${PERIOD} s for ${FLAP_FOR} s; $STREAMS cameras x $FPS fps connecting over the flap; workers sampled every 0.5 s for ${FLAP_FOR}+${TAIL} s"

# sample SAMPLES_FILE MASTER_PID: "epoch_ms workers rss_mb" every 0.5 s until killed
sample() {
    local f=$1 master=$2
    while kill -0 "$master" 2>/dev/null; do
        ps --ppid "$master" -o rss= | awk -v t="$(now_ms)" '{n++; s += $1} END {printf "%s %d %.1f\n", t, n, s / 1024}' >>"$f"
        sleep 0.5
    done
}

run_variant() { # run_variant NAME ROUND
    local name=$1 r=$2 d=$OUT/flap-nginx-$1-$2 agent_args=() master agent sampler lg
    case $name in
        undamped) agent_args=(--min-reload-interval 0 --hold-down 0) ;;
        damped) agent_args=() ;;   # the defaults are the shipped unit's values
        nodamp-wst) agent_args=(--min-reload-interval 0 --hold-down 0) ;;
        *) echo "unknown variant $name" >&2; exit 2 ;;
    esac
    rm -rf "$d"; nginx/render.sh "$d" "$UPS" "127.0.0.1:$NGINX_PORT"
    d=$(cd "$d" && pwd)
    [[ $name == undamped ]] && sed -i '/^worker_shutdown_timeout/d' "$d/nginx.conf"
    [[ -z $NGINX_WORKERS ]] || sed -i "s/^worker_processes .*;/worker_processes $NGINX_WORKERS;/" "$d/nginx.conf"
    nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g "pid $d/nginx.pid; daemon off;" &
    master=$!; PIDS+=("$master")
    for _ in $(seq 50); do port_open "$NGINX_PORT" && break; sleep 0.1; done
    python3 nginx/health-agent/health_agent.py --upstreams "$d/framewire/upstreams.conf" --reload "kill -HUP $master" \
        "${agent_args[@]}" >"$OUT/flap-agent-$name-$r.log" 2>&1 &
    agent=$!; PIDS+=("$agent")
    local samples=$OUT/flap-$name-$r.samples; : >"$samples"
    sample "$samples" "$master" & sampler=$!; PIDS+=("$sampler")
    "$JAVA" $LOADGEN_JAVA_OPTS -jar "$BENCH_JAR" loadgen --url "ws://127.0.0.1:$NGINX_PORT" --source "$FRAMES" \
        --streams "$STREAMS" --fps "$FPS" --ramp "$(( LEAD + FLAP_FOR ))s" --warmup 0s --duration "$(( TAIL - 5 ))s" --drain 2s \
        --prefix "flap-$name-$r-" --reconnect 250ms --reconnect-max 2s --connect-timeout 3s --silence 3s \
        --json "$OUT/flap-$name-$r.json" --per-stream "$OUT/flap-$name-$r.streams.jsonl" >/dev/null 2>"$OUT/flap-$name-$r.loadgen.log" &
    lg=$!; PIDS+=("$lg")
    sleep "$LEAD"
    local t0; t0=$(now_ms)
    while (( $(now_ms) - t0 < FLAP_FOR * 1000 )); do
        kill -STOP "${FW_PID[2]}"; sleep "$PERIOD"
        kill -CONT "${FW_PID[2]}"; sleep "$PERIOD"
    done
    kill -CONT "${FW_PID[2]}"
    local t_end; t_end=$(now_ms)
    local reloads_flap; reloads_flap=$(grep -c 'nginx reloaded' "$OUT/flap-agent-$name-$r.log" || true)
    wait "$lg" || { echo "loadgen failed: $(tail -3 "$OUT/flap-$name-$r.loadgen.log")" >&2; }
    while (( $(now_ms) - t0 < (FLAP_FOR + TAIL) * 1000 )); do sleep 0.5; done
    kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true
    kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
    kill -QUIT "$master" 2>/dev/null || true; sleep 0.5; kill "$master" 2>/dev/null || true; wait "$master" 2>/dev/null || true
    local reloads; reloads=$(grep -c 'nginx reloaded' "$OUT/flap-agent-$name-$r.log" || true)
    # during the flap: samples with t <= flap_ms; after: the tail
    read -r wmax rmax wbase <<<"$(awk -v e="$t_end" 'NR <= 3 && $2 > b {b = $2} $1 <= e {if ($2 > w) w = $2; if ($3 > m) m = $3} END {printf "%d %.0f %d", w, m, b}' "$samples")"
    read -r wend rend <<<"$(awk '$2 > 0 {w = $2; m = $3} END {printf "%d %.0f", w, m}' "$samples")"
    read -r wtail <<<"$(awk -v e="$t_end" '$1 > e {if ($2 > w) w = $2} END {print w + 0}' "$samples")"
    local J=$OUT/flap-$name-$r.json S=$OUT/flap-$name-$r.streams.jsonl
    local open down gap; open=$(jq .connections.open_at_window_end "$J" 2>/dev/null || echo n/a)
    down=$(jq -s '[.[] | select(.down)] | length' "$S" 2>/dev/null || echo n/a)
    gap=$(jq -r '.gaps_ms[]' "$S" 2>/dev/null | sort -n | awk '{a[NR] = $1} END {if (NR) printf "%d reconnects, gap p50 %.0f ms, max %.0f ms", NR, a[int((NR + 1) / 2)], a[NR]; else print "0 reconnects"}')
    say "$(printf '%-11s round %d' "$name" "$r"): workers max $wmax during the flap (baseline $wbase; RSS max $rmax MB), max $wtail in the ${TAIL} s after, $wend at the end ($rend MB); reloads $reloads_flap during the flap, $reloads in all; cameras open at the end $open/$STREAMS, down $down; $gap; close codes $(jq -c .connections.close_reasons "$J" 2>/dev/null)"
    echo "$name $r $(( wmax > wtail ? wmax : wtail )) $reloads_flap $wbase" >>"$OUT/flap-summary.txt"
    sleep 2
}

: >"$OUT/flap-summary.txt"
IFS=, read -ra VS <<<"$VARIANTS"
for r in $(seq "$ROUNDS"); do
    for v in "${VS[@]}"; do run_variant "$v" "$r"; done
done
if [[ ,$VARIANTS, == *,damped,* ]]; then
    dmax=$(awk '$1 == "damped" {if ($3 > m) m = $3} END {print m + 0}' "$OUT/flap-summary.txt")
    drel=$(awk '$1 == "damped" {if ($4 > m) m = $4} END {print m + 0}' "$OUT/flap-summary.txt")
    w=$(awk '$1 == "damped" {print $5; exit}' "$OUT/flap-summary.txt")
    check "flap: <= 3 NGINX workers at any time (flap and tail) with the damped agent" "$(( dmax <= 3 ))" "max $dmax, reloads during the flap $drel, worker_processes $w"
    check "flap: <= 2 worker generations (2 x $w workers) with the damped agent" "$(( dmax <= 2 * w ))" "max $dmax"
fi
say "report: $REPORT"
exit "$FAILED"

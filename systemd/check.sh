#!/usr/bin/env bash
# Checks the shipped unit without a running systemd (CI containers have none as PID 1):
# `systemd-analyze verify` in a scratch root laid out like an installed host (any warning fails),
# then the offline `security` exposure score, which must stay at or below THRESHOLD/10.
set -euo pipefail
cd "$(dirname "$0")"
THRESHOLD=${THRESHOLD:-20}   # exposure x10: 20 = "2.0"
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT

# the host's stock units (sysinit.target, network-online.target ...) so dependencies resolve
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system/framewire.service.d" \
         "$root/etc/framewire" "$root/opt/framewire/current/runtime/bin"
cp -r /lib/systemd/system "$root/usr/lib/systemd/system"
cp framewire.service "$root/etc/systemd/system/"
cp framewire-gpu.conf "$root/etc/systemd/system/framewire.service.d/gpu.conf"
cp framewire.env "$root/etc/framewire/"
# verify checks that ExecStart's binary exists and is executable: a stand-in for the jlink java
printf '#!/bin/sh\n' > "$root/opt/framewire/current/runtime/bin/java"; chmod +x "$root/opt/framewire/current/runtime/bin/java"

out=$(systemd-analyze verify --man=no --root="$root" framewire.service 2>&1) || { echo "$out"; echo "FAIL systemd-analyze verify"; exit 1; }
if [[ -n $out ]]; then echo "$out"; echo "FAIL systemd-analyze verify printed warnings"; exit 1; fi
echo "PASS systemd-analyze verify (with the GPU drop-in)"

# security: the same unit without the GPU drop-in, the default CPU host
rm -r "$root/etc/systemd/system/framewire.service.d"
sec=$(systemd-analyze security --offline=yes --root="$root" --threshold="$THRESHOLD" framewire.service 2>&1) \
    || { echo "$sec" | grep -E '^✗|Overall'; echo "FAIL exposure above $THRESHOLD"; exit 1; }
echo "$sec" | grep 'Overall exposure'
echo "PASS systemd-analyze security <= $THRESHOLD"

# The drain must finish before systemd's SIGKILL: TimeoutStopSec > FRAMEWIRE_SHUTDOWN_GRACEMS + 5 s.
stop_s=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' framewire.service)
grace_ms=$(sed -n 's/^FRAMEWIRE_SHUTDOWN_GRACEMS=\([0-9]*\)$/\1/p' framewire.env)
if [[ -z $stop_s || -z $grace_ms ]] || (( stop_s * 1000 < grace_ms + 5000 )); then
    echo "FAIL TimeoutStopSec=${stop_s:-?}s must exceed FRAMEWIRE_SHUTDOWN_GRACEMS=${grace_ms:-?} + 5 s"; exit 1
fi
echo "PASS TimeoutStopSec=${stop_s}s > shutdown.graceMs ${grace_ms} ms + 5 s"

# The watchdog: the JVM speaks sd_notify (Type=notify, only the main process), and systemd restarts a
# process whose heartbeat stops for WatchdogSec; the JVM's stall time is WatchdogSec/2, which must stay
# above the longest legitimate forward pass (seconds for YOLO on a CPU).
grep -qx 'Type=notify' framewire.service && grep -qx 'NotifyAccess=main' framewire.service \
    || { echo "FAIL the unit must be Type=notify with NotifyAccess=main"; exit 1; }
wd_s=$(sed -n 's/^WatchdogSec=\([0-9]*\)s$/\1/p' framewire.service)
if [[ -z $wd_s ]] || (( wd_s < 10 )); then echo "FAIL WatchdogSec=${wd_s:-?}s: set it, >= 10 s (stall after WatchdogSec/2)"; exit 1; fi
grep -Eq '^Restart=(on-failure|on-watchdog|always)$' framewire.service || { echo "FAIL Restart= does not cover watchdog timeouts"; exit 1; }
echo "PASS Type=notify, NotifyAccess=main, WatchdogSec=${wd_s}s (stall after $((wd_s / 2)) s), restarted on watchdog timeout"

# The camera bridge's unit (framewire-camera.service): verify and the same security threshold.
mkdir -p "$root/etc/framewire"
cp framewire-camera.service "$root/etc/systemd/system/"
out=$(systemd-analyze verify --man=no --root="$root" framewire-camera.service 2>&1) || { echo "$out"; echo "FAIL systemd-analyze verify framewire-camera"; exit 1; }
if [[ -n $out ]]; then echo "$out"; echo "FAIL systemd-analyze verify framewire-camera printed warnings"; exit 1; fi
echo "PASS systemd-analyze verify framewire-camera"
sec=$(systemd-analyze security --offline=yes --root="$root" --threshold="$THRESHOLD" framewire-camera.service 2>&1) \
    || { echo "$sec" | grep -E '^✗|Overall'; echo "FAIL framewire-camera exposure above $THRESHOLD"; exit 1; }
echo "$sec" | grep 'Overall exposure'
echo "PASS systemd-analyze security framewire-camera <= $THRESHOLD"

#!/usr/bin/env bash
# fleet-streams.sh URL...: the sum of framewire_streams_active over the given /metrics URLs
# (hosts that don't answer count 0). rolling-upgrade.yml and bench/cluster.sh both use it to
# see a drained host's streams arrive on the others.
set -uo pipefail
total=0
for url in "$@"; do
    n=$(curl -fsS --max-time 2 "$url" 2>/dev/null | awk '$1 == "framewire_streams_active" {printf "%d", $2}')
    total=$((total + ${n:-0}))
done
echo "$total"

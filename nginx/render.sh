#!/usr/bin/env bash
# render.sh DEST UPSTREAM [LISTEN]: lays the shipped NGINX config out under DEST as it would be
# under /etc/nginx, with its absolute paths moved into DEST (so no root paths are needed), the
# upstream servers given as "host:port host:port ...", and optionally the plain listener moved
# to LISTEN (e.g. 127.0.0.1:18080; the TLS server is then left out). Run it with
#   nginx -p DEST -c DEST/nginx.conf -e DEST/logs/error.log -g "pid DEST/nginx.pid;"
# The server lines use the same options as Ansible's template (ansible/roles/nginx).
set -euo pipefail
dest=$1 upstream=$2 listen=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest"/{conf.d,framewire,logs,tls}
dest=$(cd "$dest" && pwd)   # nginx resolves relative paths against its prefix, not our cwd
chmod 755 "$dest"   # the workers (www-data) walk into it
reloc() { sed -e "s#/etc/nginx#$dest#g" -e "s#/var/log/nginx#$dest/logs#g" "$1"; }
reloc "$here/nginx.conf" > "$dest/nginx.conf"
reloc "$here/locations.conf" > "$dest/framewire/locations.conf"
if [[ -n $listen ]]; then
    reloc "$here/framewire.conf" | sed -e "s#^\(\s*\)listen 80;#\1listen $listen;#" -e '/listen \[::\]:80;/d' \
        > "$dest/conf.d/framewire.conf"
else
    reloc "$here/framewire.conf" > "$dest/conf.d/framewire.conf"
    reloc "$here/framewire-tls.conf" > "$dest/conf.d/framewire-tls.conf"
    if [[ ! -f $dest/tls/framewire.key ]]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=framewire.test \
            -keyout "$dest/tls/framewire.key" -out "$dest/tls/framewire.crt" 2>/dev/null
    fi
fi
{
    echo "upstream framewire {"
    echo "    hash \$stream_id consistent;"
    for s in $upstream; do echo "    server $s max_fails=0;"; done
    echo "}"
} > "$dest/framewire/upstreams.conf"
# nothing may still point at the real system paths
if grep -rn -e '/etc/nginx' -e '/var/log/nginx' "$dest" --include='*.conf'; then
    echo "render.sh: absolute paths left in the rendered config" >&2; exit 1
fi

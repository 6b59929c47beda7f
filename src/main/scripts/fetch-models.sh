#!/usr/bin/env bash
# Fetches the YuNet face detector (OpenCV Zoo, Apache-2.0) and checks its sha256. The server's jar already
# carries this model (the default detector); the file is for other tools and for --model.
# Usage: src/main/scripts/fetch-models.sh [DEST_DIR]   (default: models/)
# Copies from ../shared/models when that folder is present (the team's machines and CI).
set -euo pipefail

dest=${1:-models}
name=yunet_s_640_640.onnx
sha256=8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4
url=https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx
here=$(cd "$(dirname "$0")/../../.." && pwd)

mkdir -p "$dest"
target="$dest/$name"
if [ -f "$target" ] && echo "$sha256  $target" | sha256sum -c --status; then
  echo "$target: present, sha256 ok"
  exit 0
fi
tmp=$(mktemp "$dest/.$name.XXXXXX")
trap 'rm -f "$tmp"' EXIT
if [ -f "$here/../shared/models/$name" ]; then
  cp "$here/../shared/models/$name" "$tmp"
elif ! curl -fsSL --retry 3 -o "$tmp" "$url"; then
  echo "error: could not download $url (offline?). Copy $name (sha256 $sha256) into $dest/ by hand," >&2
  echo "  or run the server without --model: its jar carries the same model." >&2
  exit 1
fi
if ! echo "$sha256  $tmp" | sha256sum -c --status; then
  echo "error: $name failed its sha256 check (expected $sha256)" >&2
  exit 1
fi
chmod 0644 "$tmp" # mktemp makes it 0600: the service user must read it
mv "$tmp" "$target"
echo "$target: fetched, sha256 ok"

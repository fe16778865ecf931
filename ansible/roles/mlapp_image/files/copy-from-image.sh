#!/usr/bin/env bash
# Usage: copy-from-image.sh TOOL IMAGE DESTINATION PATH...
# Copies directories or files out of an image, without running it, into DESTINATION (emptied first), with docker,
# podman or buildah. Each PATH lands as DESTINATION/<its base name>.
set -euo pipefail
tool=$1 image=$2 dest=$3
shift 3
rm -rf "$dest"
mkdir -p "$dest"
case "$tool" in
  buildah)
    container=$(buildah from --pull=never "$image")
    trap 'buildah rm "$container" >/dev/null' EXIT
    root=$(buildah mount "$container")
    for inside in "$@"; do cp -a "$root$inside" "$dest/"; done
    ;;
  docker|podman)
    container=$("$tool" create "$image")
    trap '"$tool" rm "$container" >/dev/null' EXIT
    for inside in "$@"; do "$tool" cp "$container:$inside" "$dest/"; done
    ;;
  *)
    echo "copy-from-image.sh: unknown tool $tool" >&2
    exit 2
    ;;
esac

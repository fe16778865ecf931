#!/usr/bin/env bash
# Usage: copy-from-image.sh TOOL IMAGE PATH_IN_IMAGE DESTINATION
# Copies one file out of an image without running it, with docker, podman or buildah.
set -euo pipefail
tool=$1 image=$2 inside=$3 dest=$4
case "$tool" in
  buildah)
    container=$(buildah from --pull=never "$image")
    trap 'buildah rm "$container" >/dev/null' EXIT
    root=$(buildah mount "$container")
    install -m 0644 "$root$inside" "$dest"
    ;;
  docker|podman)
    container=$("$tool" create "$image")
    trap '"$tool" rm "$container" >/dev/null' EXIT
    "$tool" cp "$container:$inside" "$dest"
    ;;
  *)
    echo "copy-from-image.sh: unknown tool $tool" >&2
    exit 2
    ;;
esac

# shellcheck shell=bash
# For the cluster tests (scripts/test/test-kubernetes.sh, scripts/test/test-lab.sh): their image builds and pulls
# use storage drivers that copy every layer (vfs), so a test that starts on a nearly full disk fails half an hour
# later, in whichever step runs out first, with an error that names a layer or a pod rather than the disk.

# require_free_disk DIR GB WHAT: fails at once, saying how much is free and what to remove, unless the filesystem
# holding DIR (or its nearest existing parent) has at least GB GiB free.
require_free_disk() {
    local dir=$1 need_gb=$2 what=$3 free_kb
    while [[ ! -e $dir ]]; do dir=$(dirname "$dir"); done
    free_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
    if ((free_kb < need_gb * 1024 * 1024)); then
        echo "$what needs $need_gb GiB free on the filesystem of $dir, which has $((free_kb / 1024 / 1024)) GiB:" \
            "free some (old buildah images: buildah rmi --prune; the lab's Docker cache: scripts/lab/down.sh --purge)" >&2
        return 1
    fi
}

#!/usr/bin/env bash
# Refreshes the KServe CRDs that KServeManifestsTest validates k8s/kserve/ against, from a clone of KServe's repository
# (Apache License 2.0): the files are KServe's own, byte for byte, gzipped to keep the repository small.
#
#   scripts/dev/kserve-crds.sh ~/src/kserve v0.20.0
set -euo pipefail
kserve=${1:?usage: $0 KSERVE_CLONE [TAG]}
tag=${2:-v0.20.0}
out="$(dirname "$0")/../../src/test/resources/kserve"
mkdir -p "$out"
for crd in serving.kserve.io_servingruntimes.yaml serving.kserve.io_inferenceservices.yaml; do
  git -C "$kserve" show "$tag:config/crd/full/$crd" | gzip -9n > "$out/$crd.gz"
  echo "$out/$crd.gz ($tag)"
done
echo "$tag" > "$out/VERSION"

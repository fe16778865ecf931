#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of client bytes, each target for its @FuzzTest maxDuration (30 s),
# one JVM per target (Jazzer fuzzes one @FuzzTest per run). A finding fails the run and is written as
# crash-<sha1> next to the target's committed inputs in src/test/resources/<package>/<Class>Inputs/<method>/:
# fix the bug, keep the input (renamed to say what it is), and 'mvn test' replays it from then on.
# Usage: scripts/test/fuzz.sh [Class#method ...]   (default: all six targets; 3 min of fuzzing plus JVM starts)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
jdk_use

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(
    UploadsFuzzTest#upload
    UploadsFuzzTest#multipartBody
    ImagePreprocessorFuzzTest#toTensor
    TfJpegPreprocessingFuzzTest#toTensor
    NpyFuzzTest#read
    ModelLoaderFuzzTest#load
  )
fi

./mvnw -B -q test-compile
status=0
for target in "${targets[@]}"; do
  echo "== fuzzing $target"
  start=$(date +%s)
  if JAZZER_FUZZ=1 ./mvnw -B -q -o surefire:test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
      > "target/fuzz-${target//#/-}.log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "target/fuzz-${target//#/-}.log" | tail -1 || true)
    echo "   ok after $(( $(date +%s) - start )) s: ${runs:-no run count}"
  else
    status=1
    echo "   FINDING (or failure) in $target; see target/fuzz-${target//#/-}.log:"
    grep -m5 -E 'FuzzTestFinding|Exception|Error' "target/fuzz-${target//#/-}.log" || true
  fi
done
exit $status

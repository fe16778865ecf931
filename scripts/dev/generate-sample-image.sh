#!/usr/bin/env bash
# Regenerates src/main/resources/samples/sample.jpg, the picture GET /test classifies, from the project's own
# drawing code (src/generator/java/dev/mlapp/image/SampleImageGenerator.java, beside the other generators: a
# single-file Java program, run from its source with no build).
# Deterministic: same JDK, same bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
jdk_use
java src/generator/java/dev/mlapp/image/SampleImageGenerator.java src/main/resources/samples/sample.jpg

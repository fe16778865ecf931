#!/usr/bin/env bash
# Regenerates src/main/resources/samples/sample.jpg, the picture GET /test classifies, from the project's own
# drawing code (scripts/SampleImageGenerator.java, a single-file Java program: no build needed).
# Deterministic: same JDK, same bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
jdk_use
java scripts/SampleImageGenerator.java src/main/resources/samples/sample.jpg

#!/usr/bin/env bash
# Regenerates src/main/resources/samples/sample.jpg, the picture GET /test classifies, from the project's own
# drawing code (dev.mlapp.image.SampleImageGenerator in the test tree). Deterministic: same JDK, same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile
java -cp target/test-classes dev.mlapp.image.SampleImageGenerator src/main/resources/samples/sample.jpg

#!/usr/bin/env bash
# Regenerates the embedded demo model (src/main/resources/models/demo-food11.h5) from
# dev.mlapp.model.keras.fixtures.DemoModelGenerator (src/generator/java, beside the Keras file writer) and the Keras
# fixtures (src/test/resources/keras-fixtures/) from dev.mlapp.model.keras.fixtures.FixtureGenerator (src/test/java).
# Deterministic: a second run changes nothing (FixtureGeneratorTest checks that).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
jdk_use
./mvnw -B -q test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
classpath="target/test-classes:target/classes:$(cat target/test.classpath)"
java -cp "$classpath" dev.mlapp.model.keras.fixtures.DemoModelGenerator src/main/resources/models/demo-food11.h5
java -cp "$classpath" dev.mlapp.model.keras.fixtures.FixtureGenerator src/test/resources/keras-fixtures

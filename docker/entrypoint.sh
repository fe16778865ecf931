#!/bin/sh
# The image's entry point: what `java -jar ml-app.jar "$@"` does, with the JVM flags a container needs, the TensorFlow
# natives unpacked and stripped at build time, and the model the image was built with (if any).
set -eu
app=/opt/ml-app

# model.env (docker/model-files.sh, at build time) names the model the image was built with, and its weights file
# for the weights-only pair; MODEL_PATH set at run time (a mounted volume) wins over it.
if [ -z "${MODEL_PATH:-}" ] && [ -f "$app/model/model.env" ]; then
    set -a
    . "$app/model/model.env"
    set +a
fi

# TensorFlow allocates outside the Java heap (weights, activations, its thread pools), so the heap gets well under
# half of the container's memory limit. The natives load from java.library.path, because the image leaves the native
# jar out of lib/ (the jar's Class-Path skips what is missing): nothing is unpacked at start, nothing is written
# outside /tmp (the pod's only writable path).
# jvm.conf (the project's, copied beside this script): the JVM options and environment every ml-app process gets.
# Its options all suit the image's JDK (23 or newer, see the Dockerfile); its variables are set unless set already.
jvm_options=
while read -r kind key value; do # key: the JDK version of a java line, the name of an env line
    case "$kind" in
        java) jvm_options="$jvm_options $value" ;;
        env) eval "[ -n \"\${$key:-}\" ] || export $key=\"\$value\"" ;;
    esac
done <"$app/jvm.conf"
# The image's AOT cache (see the Dockerfile) saves about a quarter of the CPU to readiness; the image build's
# training run (ML_APP_AOT_TRAINING=1) is what writes it.
if [ -n "${ML_APP_AOT_TRAINING:-}" ]; then
    aot="-XX:AOTCacheOutput=$app/ml-app.aot"
elif [ -f "$app/ml-app.aot" ]; then
    aot="-XX:AOTCache=$app/ml-app.aot"
else
    aot=
fi
# JAVA_OPTS adds flags or overrides these (the last occurrence of a flag wins).
# shellcheck disable=SC2086 # JAVA_OPTS, jvm_options and aot are split into words on purpose
exec java \
    $aot \
    -XX:MaxRAMPercentage=40 \
    -XX:+ExitOnOutOfMemoryError \
    -Djava.io.tmpdir=/tmp \
    -Djava.library.path="$app/native" \
    -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp \
    $jvm_options \
    ${JAVA_OPTS:-} \
    -jar "$app/ml-app.jar" "$@"

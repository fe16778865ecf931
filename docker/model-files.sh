#!/bin/sh
# Usage: model-files.sh CONTEXT DESTINATION
# Picks the user's model out of the image's build context, the way './ml-app --model' takes it, into DESTINATION
# (the image's /opt/ml-app/model), and writes DESTINATION/model.env for the entry point:
#   - one Keras file at the top of the context: ml-lb.h5 (the course's name), model.keras, any *.h5, *.hdf5, *.keras
#     -> MODEL_PATH
#   - or the weights-only pair: one model.to_json() *.json and one model.save_weights() *.h5 / *.hdf5
#     -> MODEL_PATH (the JSON) and WEIGHTS_PATH
#   - with it, the labels files the server looks for beside a model: labels.txt, labels.json, class_names.txt
# No model: DESTINATION stays empty and the embedded demo model is served. Anything else (two models) fails the
# build with a sentence saying what is there.
set -eu
context=$1 dest=$2
mkdir -p "$dest"
keras="" json="" count_keras=0 count_json=0
for f in "$context"/*.h5 "$context"/*.hdf5 "$context"/*.keras; do
    [ -f "$f" ] || continue
    keras="$keras $(basename "$f")"
    count_keras=$((count_keras + 1))
done
for f in "$context"/*.json; do
    [ -f "$f" ] || continue
    [ "$(basename "$f")" = labels.json ] && continue
    json="$json $(basename "$f")"
    count_json=$((count_json + 1))
done
fail() {
    echo "model-files.sh: the build context has$keras$json at its top: $1" >&2
    exit 1
}
if [ "$count_json" -gt 1 ]; then
    fail "keep one architecture JSON (model.to_json()) and its weights .h5, or one Keras .h5/.keras file"
fi
if [ "$count_json" -eq 1 ]; then
    [ "$count_keras" -eq 1 ] || fail "an architecture JSON needs exactly one weights .h5 (model.save_weights()) beside it"
    case $keras in *.keras) fail "the weights beside an architecture JSON must be the .h5 of model.save_weights()" ;; esac
    cp "$context/${json# }" "$context/${keras# }" "$dest/"
    printf 'MODEL_PATH=/opt/ml-app/model/%s\nWEIGHTS_PATH=/opt/ml-app/model/%s\n' "${json# }" "${keras# }" >"$dest/model.env"
elif [ "$count_keras" -eq 1 ]; then
    cp "$context/${keras# }" "$dest/"
    printf 'MODEL_PATH=/opt/ml-app/model/%s\n' "${keras# }" >"$dest/model.env"
elif [ "$count_keras" -gt 1 ]; then
    fail "keep one model (the image serves one), e.g. only ml-lb.h5 or only model.keras"
else
    exit 0
fi
for labels in labels.txt labels.json class_names.txt; do
    if [ -f "$context/$labels" ]; then cp "$context/$labels" "$dest/"; fi
done

#!/usr/bin/env bash
# Starts the built image's own entrypoint as a container (buildah, chroot isolation, host network), as a pod would:
# waits for /readyz, classifies the bundled sample photo through /api/v1/predict, checks that the server runs as
# a non-root user with the natives unpacked in the image, stops it with SIGTERM, and checks that nothing was written
# outside /tmp (so a read-only root filesystem works). Then the same for the load-balancing demo (APP_MODE=hello),
# and the Dockerfile's model stage built on a context with model.keras + labels.txt (what reaches /model).
#
# Usage: scripts/test/test-image.sh [IMAGE]      (default localhost/ml-app:latest, as built by scripts/deploy/build-image.sh)
# Prints the image size, what its layers hold, and the start-to-ready time (wall and the JVM's CPU time).
# Env: TEST_IMAGE_MODEL  a Keras file on this machine: also start the image serving it (mounted read-only, as a
#                        volume would be) and print its start-to-ready time, e.g. the course's VGG16 (BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${1:-localhost/ml-app:latest}
READY_TIMEOUT=${READY_TIMEOUT:-300}
BUILDAH=(buildah --storage-driver vfs)
WORK=$(mktemp -d)
ctr=""
RUN_ARGS=() # more options for buildah run (a volume for TEST_IMAGE_MODEL)

log() { printf '== %s\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; [ -f "$WORK/server.log" ] && tail -20 "$WORK/server.log" >&2; exit 1; }

cleanup() {
    if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" 2>/dev/null || true; fi
    if [ -n "$ctr" ]; then "${BUILDAH[@]}" umount "$ctr" >/dev/null 2>&1 || true; "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

config() { "${BUILDAH[@]}" inspect --type image --format "$1" "$IMAGE"; }

free_port() {
    local candidate
    while :; do
        # Below the kernel's ephemeral range (32768+), so no outgoing connection can take it meanwhile, and
        # unused in any state (a TIME_WAIT or connected socket on the port would also make the bind fail).
        candidate=$((20000 + RANDOM % 12000))
        [ -z "$(ss -Htan "sport = :$candidate")" ] && { echo "$candidate"; return; }
    done
}

# The PID of the process listening on the port: the JVM inside the container (seen from the host).
listener_pid() { ss -Hltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | awk 'NR == 1'; }

# Runs the image's ENTRYPOINT + CMD in a fresh container with the given environment; sets port and server_pid.
start() {
    local -a entrypoint cmd env=()
    mapfile -t entrypoint < <(config '{{range .OCIv1.Config.Entrypoint}}{{println .}}{{end}}')
    mapfile -t cmd < <(config '{{range .OCIv1.Config.Cmd}}{{println .}}{{end}}')
    port=$(free_port)
    for pair in HOST=127.0.0.1 "PORT=$port" "$@"; do env+=(--env "$pair"); done
    ctr=$("${BUILDAH[@]}" from --pull-never "$IMAGE")
    touch "$WORK/started"
    sleep 1 # file times have one-second resolution on some filesystems: "newer than started" must mean it
    start_ns=$(date +%s%N)
    "${BUILDAH[@]}" run --isolation chroot --network host "${RUN_ARGS[@]}" "${env[@]}" "$ctr" -- "${entrypoint[@]}" "${cmd[@]}" \
        >"$WORK/server.log" 2>&1 &
    server_pid=$!
}

await_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT))
    until curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do
        kill -0 "$server_pid" 2>/dev/null || fail "the container exited before /readyz turned green"
        [ $SECONDS -lt $deadline ] || fail "/readyz not green after $READY_TIMEOUT s"
        sleep 0.2
    done
    ready_ms=$((($(date +%s%N) - start_ns) / 1000000))
    # buildah run takes seconds of its own to set a container up; the JVM's start time (clock ticks since boot)
    # gives the part a pod pays on any runtime.
    # Its CPU time (user + system, all threads) to ready is what a start costs on a busy node.
    local pid stat
    pid=$(listener_pid "$port")
    stat=$(cat "/proc/$pid/stat")
    jvm_ready_ms=$(awk -v ticks="$(getconf CLK_TCK)" -v start="$(echo "$stat" | awk '{print $22}')" \
        '{printf "%d", ($1 - start / ticks) * 1000}' /proc/uptime)
    jvm_cpu_ms=$(echo "$stat" | awk -v ticks="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / ticks}')
}

check_process() {
    local pid uid
    pid=$(listener_pid "$port")
    [ -n "$pid" ] || fail "no process listens on port $port"
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
    [ "$uid" != 0 ] || fail "the server runs as root"
    log "the server runs as uid $uid"
    java_pid=$pid
}

# SIGTERM, as the kubelet sends it; the server drains and exits.
stop() {
    kill -TERM "$java_pid"
    local deadline=$((SECONDS + 60))
    while kill -0 "$server_pid" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || fail "the server did not exit within 60 s of SIGTERM"
        sleep 0.2
    done
    wait "$server_pid" || true
    grep -q 'stopped' "$WORK/server.log" || fail "no orderly shutdown in the log"
}

# Everything the run changed in the container's root filesystem, outside /tmp and what the runtime itself mounts.
check_read_only_root() {
    local root written
    root=$("${BUILDAH[@]}" mount "$ctr")
    written=$(cd "$root" && find . -xdev -newer "$WORK/started" \
        -not -path './tmp' -not -path './tmp/*' -not -path './proc*' -not -path './sys*' -not -path './dev*' \
        -not -path './run' -not -path './run/*' -not -path './etc/hosts' -not -path './etc/resolv.conf' \
        -not -path './etc/hostname' -not -path './etc' -not -path '.' -print)
    [ -z "$written" ] || fail "the server wrote outside /tmp (a read-only root filesystem would break): $written"
    "${BUILDAH[@]}" umount "$ctr" >/dev/null
    "${BUILDAH[@]}" rm "$ctr" >/dev/null
    ctr=""
}

"${BUILDAH[@]}" inspect --type image "$IMAGE" >/dev/null || fail "no image $IMAGE: run scripts/deploy/build-image.sh first"
size=$("${BUILDAH[@]}" images --format '{{.Size}}' "$IMAGE" | awk 'NR == 1')
log "image $IMAGE: $size"
# What each layer holds (the Dockerfile's COPYs, largest first, then the AOT cache and the base's few files).
layer_sizes() {
    local c root
    c=$("${BUILDAH[@]}" from --pull-never "$IMAGE")
    root=$("${BUILDAH[@]}" mount "$c")
    (cd "$root" && du -sb opt/ml-app/native opt/java opt/ml-app/lib opt/ml-app/ml-app.aot opt/ml-app/ml-app.jar \
        opt/ml-app/model 2>/dev/null
     echo "$(du -sb --exclude=./opt . | cut -f1)	everything outside /opt (the base)") \
        | awk -F'\t' '{printf "==   %8.1f MB  %s\n", $1 / 1e6, $2}' >&2
    "${BUILDAH[@]}" umount "$c" >/dev/null
    "${BUILDAH[@]}" rm "$c" >/dev/null
}
layer_sizes
[ "$(config '{{.OCIv1.Config.User}}')" != "" ] || fail "the image sets no USER"

log "ML app: starting the image's entrypoint"
start POD_NAME=image-test-ml
await_ready
log "ML app: /readyz green $ready_ms ms after the container started, $jvm_ready_ms ms after the JVM did ($jvm_cpu_ms ms of CPU)"
check_process
grep -q '/opt/ml-app/native/libtensorflow_cc.so.2' "/proc/$java_pid/maps" \
    || fail "TensorFlow was not loaded from the natives unpacked in the image"
reply=$(curl -fsS -H 'Accept: application/json' -H 'Content-Type: image/jpeg' \
    --data-binary @src/main/resources/samples/sample.jpg "http://127.0.0.1:$port/api/v1/predict")
case $reply in
    *'"label"'*'"pod":"image-test-ml"'*) log "ML app: prediction $reply" ;;
    *) fail "unexpected prediction reply: $reply" ;;
esac
# The image's Java runtime has no java.desktop: every other format must decode through TensorFlow's kernels too.
formats=src/test/resources/dev/mlapp/image/pil-formats
for file in palette-transparent.png grey16.png animated.gif rgba.bmp palette.bmp; do
    reply=$(curl -sS -w ' %{http_code}' -H 'Accept: application/json' -H "Content-Type: image/${file##*.}" \
        --data-binary "@$formats/$file" \
        "http://127.0.0.1:$port/api/v1/predict")
    [[ $reply == *'"label"'*' 200' ]] || fail "$file was not classified by the image: $reply"
done
log "ML app: PNG, GIF and BMP uploads classified too (${formats##*/}: palette-transparent.png grey16.png animated.gif rgba.bmp palette.bmp)"
stop
check_read_only_root
ml_ready_ms=$ready_ms
ml_jvm_ready_ms=$jvm_ready_ms
ml_jvm_cpu_ms=$jvm_cpu_ms

log "hello demo: starting the image's entrypoint with APP_MODE=hello"
start POD_NAME=image-test-hello APP_MODE=hello
await_ready
log "hello demo: /readyz green $ready_ms ms after the container started, $jvm_ready_ms ms after the JVM did ($jvm_cpu_ms ms of CPU)"
check_process
reply=$(curl -fsS "http://127.0.0.1:$port/whoami")
[[ $reply == *"hello user from image-test-hello"* ]] || fail "unexpected /whoami reply: $reply"
stop
check_read_only_root

# The one command that needs java.desktop (its photos are drawn with Java2D) must say so, not fail with a trace.
ctr=$("${BUILDAH[@]}" from --pull-never "$IMAGE")
bench_rc=0
bench_out=$("${BUILDAH[@]}" run --isolation chroot --network host "$ctr" -- /opt/ml-app/bin/ml-app bench --photos-only \
    2>&1) || bench_rc=$?
"${BUILDAH[@]}" rm "$ctr" >/dev/null
ctr=""
[[ $bench_rc -eq 2 && $bench_out == *"java.desktop"* ]] \
    || fail "bench --photos-only in the image: exit $bench_rc, not 2 with a sentence about java.desktop: $bench_out"
log "bench --photos-only: refused (exit 2): $(grep -m1 java.desktop <<<"$bench_out")"

# The model stage for real: a build context with the course's model.keras and a labels.txt (and a file that must
# stay out) is built up to that stage with this Dockerfile and .dockerignore, and what lands in /model is checked
# (ImageModelFilesTest checks the same rules without an image build).
log "model stage: model.keras + labels.txt next to the Dockerfile"
context=$WORK/context
mkdir -p "$context/docker"
cp Dockerfile .dockerignore pom.xml "$context/"
cp docker/* "$context/docker/"
cp src/main/resources/models/demo-food11.h5 "$context/model.keras" # the stage copies; the content is not read
printf 'Bread\nDairy product\n' >"$context/labels.txt"
echo "not for the image" >"$context/notes.md"
"${BUILDAH[@]}" build --isolation chroot --pull=never --target model -q -t localhost/ml-app-model-stage:test \
    -f "$context/Dockerfile" "$context" >/dev/null || fail "the model stage did not build"
ctr=$("${BUILDAH[@]}" from --pull-never localhost/ml-app-model-stage:test)
root=$("${BUILDAH[@]}" mount "$ctr")
found=$(cd "$root/model" && ls | tr '\n' ' ')
env_file=$(cat "$root/model/model.env" 2>/dev/null || true)
"${BUILDAH[@]}" umount "$ctr" >/dev/null
"${BUILDAH[@]}" rm "$ctr" >/dev/null
ctr=""
"${BUILDAH[@]}" rmi localhost/ml-app-model-stage:test >/dev/null 2>&1 || true
[ "$found" = "labels.txt model.env model.keras " ] || fail "the model stage holds '$found', not model.keras, labels.txt, model.env"
[ "$env_file" = "MODEL_PATH=/opt/ml-app/model/model.keras" ] || fail "model.env says '$env_file'"
log "model stage: /model holds $found($env_file)"

printf 'image %s: size %s; container start to ready: ML app %s ms, hello demo %s ms; JVM start to ready: %s ms, %s ms; JVM CPU to ready: %s ms, %s ms\n' \
    "$IMAGE" "$size" "$ml_ready_ms" "$ready_ms" "$ml_jvm_ready_ms" "$jvm_ready_ms" "$ml_jvm_cpu_ms" "$jvm_cpu_ms"

if [[ -n "${TEST_IMAGE_MODEL:-}" ]]; then
    model=$(realpath "$TEST_IMAGE_MODEL")
    [ -f "$model" ] || fail "TEST_IMAGE_MODEL: no file $model"
    name=$(basename "$model")
    RUN_ARGS=(--volume "$model:/models/$name:ro")
    log "$name: starting the image's entrypoint serving it"
    start POD_NAME=image-test-model "MODEL_PATH=/models/$name"
    await_ready
    check_process
    reply=$(curl -fsS -H 'Accept: application/json' -H 'Content-Type: image/jpeg' \
        --data-binary @src/main/resources/samples/sample.jpg "http://127.0.0.1:$port/api/v1/predict")
    [[ $reply == *'"label"'* ]] || fail "unexpected prediction reply from $name: $reply"
    stop
    printf 'image %s serving %s: container start to ready %s ms; JVM start to ready %s ms; JVM CPU to ready %s ms\n' \
        "$IMAGE" "$TEST_IMAGE_MODEL" "$ready_ms" "$jvm_ready_ms" "$jvm_cpu_ms"
fi

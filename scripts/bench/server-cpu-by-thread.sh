#!/usr/bin/env bash
# CPU time a serving process spends per request, by thread group, measured from outside it: the server runs alone
# in its JVM, the 'loadtest' command sends multipart uploads of the bundled sample from another JVM (closed loop,
# keep-alive), and /proc/PID/task/*/stat is read before and after. TensorFlow's pool threads carry the name of the
# thread that created them (model-loader); the JPEG decode runs on the preprocess threads. CPU time, unlike
# latency, stays readable on a shared machine (BENCHMARKS.md, "Second round").
#
#   scripts/bench/server-cpu-by-thread.sh [REQUESTS] [CONCURRENCY] [-- SERVE OPTIONS...]   (defaults: 3000, 8)
#
# Environment: ML_APP_JAR (target/ml-app.jar) is the server; CLIENT_JAR (the same) sends the load; JAVA_OPTS for
# the server's JVM (default -Xmx512m); PORT (18500); IMAGE (the bundled sample). ROUTE=multipart|raw|v2-binary|
# v2-fp32 sends that route's request instead of the load tester's multipart upload to /api/v1/predict, from the
# test classes' RouteLoad (build them first: ./mvnw -B -q -DskipTests test-compile): /predict's form, a raw image
# body to /api/v1/predict, the Open Inference route's BYTES input or an FP32 tensor (binary extension).
# SERVER_CLASS=dev.mlapp.http.BareServer runs that test class instead of the server: the JDK's HTTP server alone,
# reading the body and answering a prediction-sized JSON, the floor under the server's HTTP CPU.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
jdk_use
REQUESTS=${1:-3000}
CONCURRENCY=${2:-8}
shift $(( $# >= 2 ? 2 : $# ))
[[ "${1:-}" == "--" ]] && shift
JAR=${ML_APP_JAR:-$ROOT/target/ml-app.jar}
CLIENT=${CLIENT_JAR:-$JAR}
PORT=${PORT:-18500}
IMAGE=${IMAGE:-$ROOT/src/main/resources/samples/sample.jpg}
ROUTE=${ROUTE:-}
export TF_CPP_MIN_LOG_LEVEL=2

if [[ -n "${SERVER_CLASS:-}" ]]; then
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    "$JAVA_HOME/bin/java" ${JAVA_OPTS:--Xmx512m} -cp "$ROOT/target/test-classes" "$SERVER_CLASS" "$PORT" \
        > "${TMPDIR:-/tmp}/server-cpu-by-thread.log" 2>&1 &
else
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    "$JAVA_HOME/bin/java" ${JAVA_OPTS:--Xmx512m} -jar "$JAR" serve --host 127.0.0.1 --port "$PORT" "$@" \
        > "${TMPDIR:-/tmp}/server-cpu-by-thread.log" 2>&1 &
fi
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz"; do
    kill -0 $pid 2>/dev/null || { echo "the server exited; see ${TMPDIR:-/tmp}/server-cpu-by-thread.log" >&2; exit 1; }
    sleep 0.2
done
MODEL_NAME=
if [[ "$ROUTE" == v2-* ]]; then
    # The served model's name, from the metadata route's answer to an unknown name.
    MODEL_NAME=$(curl -s "http://127.0.0.1:$PORT/v2/models/-" | sed -n "s/.*this server serves '\([^']*\)'.*/\1/p")
fi
load() {
    if [[ -n "$ROUTE" ]]; then
        "$JAVA_HOME/bin/java" -cp "$ROOT/target/test-classes" dev.mlapp.http.RouteLoad "$PORT" "$ROUTE" "$IMAGE" \
            "$1" "$CONCURRENCY" "$MODEL_NAME"
        return
    fi
    "$JAVA_HOME/bin/java" -jar "$CLIENT" loadtest --url "http://127.0.0.1:$PORT" --path /api/v1/predict \
        --image "$IMAGE" --keep-alive --concurrency "$CONCURRENCY" --requests "$1"
}
snapshot() {
    for task in /proc/$pid/task/*; do
        stat=$(cat "$task/stat" 2>/dev/null) || continue
        fields=${stat##*) }
        # shellcheck disable=SC2086 # split the fields on purpose
        set -- $fields
        echo "$(cat "$task/comm")|$(( ${12} + ${13} ))"
    done
}
load 300 > /dev/null            # warm-up: JIT, connections
before=$(snapshot)
load "$REQUESTS" | grep -E 'Throughput|Successes|requests in'
after=$(snapshot)
python3 - "$REQUESTS" "$before" "$after" <<'PY'
import collections, re, sys
requests = int(sys.argv[1])
def totals(text):
    d = collections.defaultdict(int)
    for line in text.splitlines():
        name, ticks = line.rsplit("|", 1)
        d[re.sub(r"[-_#]?\d+$", "", name)] += int(ticks)
    return d
a, b = totals(sys.argv[2]), totals(sys.argv[3])
rows = sorted(((b[k] - a.get(k, 0)) * 10.0 / requests, k) for k in b)   # USER_HZ = 100: 10 ms per tick
for ms, k in reversed(rows):
    if ms > 0:
        print(f"  {k:24s} {ms:8.3f} ms/request")
print(f"  {'total':24s} {sum(ms for ms, _ in rows):8.3f} ms/request")
PY

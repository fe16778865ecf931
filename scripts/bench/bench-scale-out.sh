#!/usr/bin/env bash
# The scale-out curve (BENCHMARKS.md, issue 14 target 6): requests/s through the local L4 balancer for 1..N
# replicas of one model on this machine, with each replica's CPU and memory, so you can see where adding replicas
# stops adding throughput and what one replica costs a node.
#
#   scripts/bench/bench-scale-out.sh [--model FILE] [--image JPEG] [--max-replicas N] [--concurrency C]
#                              [--duration 20s] [--warm-up 5s] [--port 32100] [--base-port 5201]
#
# Per replica count: scripts/deploy/local-cluster.sh up (HAProxy, TCP round-robin, like a Service's nodePort), a warm-up
# load that is thrown away, then `loadtest --json` (closed loop, a new connection per request, uploads to
# /api/v1/predict) while the replicas' CPU time (/proc/PID/stat) and the machine's idle time (/proc/stat) are read
# before and after; then each replica's peak resident memory (VmHWM) and the cluster goes down.
# Prints a line per replica count as it goes and a Markdown table at the end. Needs haproxy and jq.
# Environment: JAVA_OPTS for the replicas (default: the image's heap rule for a 1536 MiB pod, serial GC),
# ML_APP_JAR (target/ml-app.jar). The load generator is a JVM on the same cores: its CPU is in "machine busy".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
jdk_use

MODEL=""
IMAGE="$ROOT/src/main/resources/samples/sample.jpg"
MAX_REPLICAS=5
CONCURRENCY=8
DURATION=20s
WARM_UP=5s
PORT=32100
BASE_PORT=5201
JAR=${ML_APP_JAR:-$ROOT/target/ml-app.jar}
RUN_DIR=$(mktemp -d /tmp/ml-app-scale-out.XXXXXX)
export JAVA_OPTS=${JAVA_OPTS:--XX:MaxRAM=1536m -XX:MaxRAMPercentage=40 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}
export ML_APP_JAR=$JAR

die() { echo "bench-scale-out: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --model) MODEL=$2; shift 2 ;;
        --image) IMAGE=$2; shift 2 ;;
        --max-replicas) MAX_REPLICAS=$2; shift 2 ;;
        --concurrency) CONCURRENCY=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --warm-up) WARM_UP=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        --base-port) BASE_PORT=$2; shift 2 ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
command -v jq >/dev/null || die "jq is not installed (apt-get install jq)"
[[ -f "$JAR" ]] || die "$JAR is missing: build it first (./mvnw -B -q -DskipTests package)"
[[ -f "$IMAGE" ]] || die "no image at $IMAGE"
[[ -z "$MODEL" || -e "$MODEL" ]] || die "no model at $MODEL"

cluster() { "$ROOT/scripts/deploy/local-cluster.sh" "$@" --run-dir "$RUN_DIR"; }
trap 'cluster down >/dev/null 2>&1 || true; rm -rf "$RUN_DIR" "$RUN_DIR.up.log"' EXIT

replica_pids() { cat "$RUN_DIR"/replica-*.pid; }
# utime + stime of the replicas, in clock ticks
replicas_cpu_ticks() {
    local total=0 pid
    for pid in $(replica_pids); do
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
    done
    echo "$total"
}
# the machine's busy and total ticks (all cores), from the first line of /proc/stat
machine_ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8; print busy, busy + $5 + $6 }' /proc/stat; }
peak_rss_mib() {
    local pid out=""
    for pid in $(replica_pids); do
        out+="$(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$pid/status") "
    done
    echo "${out% }"
}
loadtest() {
    java -XX:TieredStopAtLevel=1 -Xmx256m -jar "$JAR" loadtest --url "http://127.0.0.1:$PORT" --image "$IMAGE" \
        --path /api/v1/predict --concurrency "$CONCURRENCY" --expect-pods "$1" --json --duration "$2"
}

hz=$(getconf CLK_TCK)
cores=$(nproc)
echo "scale-out: $(basename "${MODEL:-embedded demo model}"), $CONCURRENCY concurrent uploads of $(basename "$IMAGE")," \
    "$DURATION per replica count, $cores cores, load average now $(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
for ((n = 1; n <= MAX_REPLICAS; n++)); do
    started=$SECONDS
    cluster up --replicas "$n" --port "$PORT" --base-port "$BASE_PORT" ${MODEL:+--model "$MODEL"} >"$RUN_DIR.up.log" 2>&1 \
        || { cat "$RUN_DIR.up.log" >&2; die "the cluster of $n did not come up"; }
    ready_s=$((SECONDS - started))
    loadtest "$n" "$WARM_UP" >/dev/null
    cpu_before=$(replicas_cpu_ticks)
    read -r busy_before total_before < <(machine_ticks)
    report=$(loadtest "$n" "$DURATION")
    cpu_after=$(replicas_cpu_ticks)
    read -r busy_after total_after < <(machine_ticks)
    rss=$(peak_rss_mib)
    cluster down >/dev/null

    rps=$(jq -r '.throughput_rps' <<<"$report")
    successes=$(jq -r '.successes' <<<"$report")
    row=$(jq -r --arg n "$n" --arg rss "$rss" --arg ready "$ready_s" \
        --argjson cpu_ms "$(( (cpu_after - cpu_before) * 1000 / hz ))" \
        --argjson busy "$(( (busy_after - busy_before) * 100 * cores / (total_after - total_before) ))" \
        '"| \($n) | \(.throughput_rps * 10 | round / 10) | \(.latency_ms.p50 | round) | \(.latency_ms.p99 | round) | \(.failed)"
         + " | \([.pods[].requests] | map(tostring) | join("/")) | \(if $cpu_ms > 0 and .successes > 0 then ($cpu_ms / .successes * 10 | round / 10) else "-" end)"
         + " | \($busy) % | \($rss) | \($ready) |"' <<<"$report")
    rows+=("$row")
    echo "$n replica(s): $rps req/s, $successes served, ready in ${ready_s} s, peak RSS MiB: $rss"
done

echo
echo "| replicas | req/s | p50 ms | p99 ms | failed | requests per replica | replicas' CPU ms per request | machine busy (of $((cores * 100)) %) | peak RSS per replica, MiB | up in s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

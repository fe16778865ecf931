#!/usr/bin/env bash
# Starts N replicas of one model at once on this machine, as a Deployment's pods start together on one node, and
# prints what each one's calibration chose (max batch size, its ms per item by batch size, its time against the
# budget), from /api/v1/model. Replicas of one model should choose alike (Calibration's tie rule), and none should
# spend past its budget (BENCHMARKS.md, "Fifth round").
#
#   scripts/bench/calibration-agreement.sh [REPLICAS] [-- SERVE OPTIONS...]   (default 5; e.g. -- --model M)
#
# Environment: ML_APP_JAR (target/ml-app.jar); JAVA_OPTS for each replica's JVM (default -Xmx512m); PORT, the
# first replica's port (18600; the others follow).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
jdk_use
REPLICAS=${1:-5}
shift $(( $# >= 1 ? 1 : 0 ))
[[ "${1:-}" == "--" ]] && shift
JAR=${ML_APP_JAR:-$ROOT/target/ml-app.jar}
PORT=${PORT:-18600}
LOGS=$(mktemp -d)
export TF_CPP_MIN_LOG_LEVEL=2
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$LOGS"
}
trap cleanup EXIT
for ((i = 0; i < REPLICAS; i++)); do
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    "$JAVA_HOME/bin/java" ${JAVA_OPTS:--Xmx512m} -jar "$JAR" serve --host 127.0.0.1 --port $((PORT + i)) "$@" \
        > "$LOGS/replica-$i.log" 2>&1 &
    pids+=($!)
done
for ((i = 0; i < REPLICAS; i++)); do
    until curl -sf -o /dev/null "http://127.0.0.1:$((PORT + i))/readyz"; do
        kill -0 "${pids[$i]}" 2>/dev/null || { echo "replica $i exited:" >&2; tail -5 "$LOGS/replica-$i.log" >&2; exit 1; }
        sleep 0.5
    done
done
for ((i = 0; i < REPLICAS; i++)); do
    curl -sf "http://127.0.0.1:$((PORT + i))/api/v1/model"
    echo
done > "$LOGS/models.jsonl"
python3 - "$LOGS/models.jsonl" <<'PY'
import json, sys
chosen = []
for i, line in enumerate(l for l in open(sys.argv[1]) if l.strip()):
    c = json.loads(line).get("calibration") or {}
    sizes = " ".join("%s:%s" % (m["batch_size"], m["ms_per_item"]) for m in c.get("measured", []))
    chosen.append(c.get("max_batch_size"))
    print("replica %d: max batch size %s, ms per item by batch size %s; calibration %s ms of a %s ms budget "
          "(first runs %s ms)" % (i, c.get("max_batch_size"), sizes, c.get("calibration_ms"), c.get("budget_ms"),
                                  c.get("first_runs_ms")))
print("chosen:", chosen, "- the same on every replica" if len(set(chosen)) == 1 else "- they differ")
PY

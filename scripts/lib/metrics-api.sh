# shellcheck shell=bash
# What scripts/test/test-kubernetes.sh checks on the Metrics API (sourced by it; uses its k, figure, die, WORK, JAVA, JAR,
# NAMESPACE, ROOT): kubectl top pods, and monitor --csv against a recomputation.

creation_to_ready() { # SELECTOR: seconds from each serving pod's creation to its Ready condition, sorted
    k get pods -l "$1" -o json | python3 -c 'import datetime, json, sys
def t(s): return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").timestamp()
out = []
for p in json.load(sys.stdin)["items"]:
    if p["metadata"].get("deletionTimestamp"):
        continue
    ready = [c["lastTransitionTime"] for c in p["status"].get("conditions", []) if c["type"] == "Ready" and c["status"] == "True"]
    out.append(round(t(ready[0]) - t(p["metadata"]["creationTimestamp"])) if ready else -1)
print(" ".join(str(x) if x >= 0 else "not-ready" for x in sorted(out)))'
}

top_pods() { # N: kubectl top pods once the Metrics API has N serving pods (a new pod needs two scrapes: 20-45 s)
    local out n=0 t0=$SECONDS
    while ((SECONDS - t0 < 120)); do
        out=$(k top pods -l app=ml-app --no-headers 2>&1) || true
        n=$(grep -cE '^ml-app-\S+\s+[0-9]+m\s+[0-9]+Mi' <<<"$out" || true)
        ((n >= $1)) && break
        sleep 5
    done
    echo "$out" >"$WORK/top-pods.txt"
    ((n >= $1)) || die "kubectl top pods shows $n of $1 pods after 120 s: $out"
    figure "kubectl top pods: $n pods with CPU and memory ($((SECONDS - t0)) s of waiting for their metrics): $(awk '{print $1 " " $2 " " $3}' <<<"$out" | paste -sd';' | sed 's/;/; /g')"
}

check_monitor_csv() { # monitor --csv's row equals the columns recomputed from kubectl get pods and the Metrics API
    local raw=/apis/metrics.k8s.io/v1beta1/namespaces/$NAMESPACE/pods verdict
    k get pods -l app=ml-app -o json >"$WORK/monitor-pods-before.json"
    kubectl get --raw "$raw" >"$WORK/monitor-metrics-before.json"
    "$JAVA" -jar "$JAR" monitor --duration 0 --namespace "$NAMESPACE" --csv "$WORK/resource_usage.csv" \
        >"$WORK/monitor-once.txt" 2>&1 || { cat "$WORK/monitor-once.txt" >&2; die "monitor --csv failed"; }
    k get pods -l app=ml-app -o json >"$WORK/monitor-pods-after.json"
    kubectl get --raw "$raw" >"$WORK/monitor-metrics-after.json"
    verdict=$(python3 "$ROOT/scripts/lib/monitor-csv-check.py" "$WORK") \
        || die "monitor --csv disagrees with kubectl get pods and the Metrics API: $verdict ($WORK/resource_usage.csv)"
    grep -q 'own /metrics' "$WORK/monitor-once.txt" && die "monitor fell back to the pods' /metrics although the Metrics API answers: $(cat "$WORK/monitor-once.txt")"
    figure "monitor --csv = kubectl get pods + Metrics API, column by column: ${verdict#ok }; $(grep '^summary' "$WORK/monitor-once.txt")"
}

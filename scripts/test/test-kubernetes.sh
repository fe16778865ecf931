#!/usr/bin/env bash
# Proves the deployment on a real Kubernetes cluster, the one KUBECONFIG points at (.ci/run starts a single-node
# 1.20 cluster with ../shared/k8s/up.sh; on the course's cluster run it on node-0 with your own inventory):
#   1. the pod-identity demo (lb-demo.yml, k8s/deploy_loadbalancer.yaml): Ready time, every pod seen through the
#      node port, memory per pod; then teardown.yml removes it;
#   2. deploy.yml from a clean state, with each role's verify (--tags all,verify): the image is built and pushed to
#      the registry the cluster pulls from, the manifests applied, 5/5 pods Ready, the smoke-test role passes;
#      every pod's X-Pod-Name seen through node port 32000 on new connections (the project's loadtest, χ² test of
#      the spread), /predict with a real photo;
#      with the Metrics API (metrics-server; CI's kit runs it, K8S_METRICS=1): kubectl top pods shows the five pods'
#      CPU and memory, monitor --csv's columns equal a recomputation from kubectl get pods and the Metrics API, and
#      loadtest.yml's top-pods.txt holds real numbers;
#   3. (a rollout restart and evictions under load, and a second deploy.yml with changed=0, are the three-node lab's:
#      scripts/test/test-lab.sh, which .ci/run runs after this test);
#   3c. autoscaling (with the Metrics API): deploy.yml with mlapp_autoscale (1-5 replicas at 40 % CPU) and
#      mlapp_deploy_resources auto from one replica, the course's load test compressed to minutes (siege, think
#      times down to 1 s and back, plus uploads): scales to 3 or more and back to 1, 0 failed requests, the timeline
#      and the latencies per phase (scripts/lib/autoscaling.sh); then loadtest.yml and its verify under the HPA;
#   4. the course's model: deploy.yml with the VGG16 and mlapp_deploy_resources auto (the role sizes the pods with
#      ml-app size on node-0; an image change, rolled out under load, 0 failed requests), then 16 concurrent uploads
#      for a minute: no restart, no OOMKill, readiness never lost, memory peak vs limit; a second deploy.yml keeps
#      the sizing and changes nothing;
#   5. teardown.yml: nothing of the app is left in the namespace.
# Every figure is printed as "figure: ..." and collected in $WORK/figures.txt.
#
# Usage: KUBECONFIG=... scripts/test/test-kubernetes.sh   (as root on the CI machine; anyone with kubectl on node-0)
# Env:   ML_APP_K8S_INVENTORY  Ansible inventory (default ansible/ci/inventory.ini: this machine is node-0)
#        ML_APP_K8S_REGISTRY   registry the cluster pulls from (default: the inventory's mlapp_registry); a loopback
#                              one that does not answer is started here (Debian's docker-registry)
#        ML_APP_K8S_NODE       address of a node for the node port (default 127.0.0.1)
#        ML_APP_K8S_OVERLAY    kustomization to deploy (default: k8s-overlays/k8s-1.20 on a cluster older than
#                              1.21, k8s-overlays/small-node on a one-node cluster, k8s otherwise)
#        ML_APP_K8S_NAMESPACE  namespace (default default)
#        ML_APP_K8S_MODEL      the course-shaped model deployed as the user's model in step 4
#                              (default ../shared/models/vgg16_food11_demo/model.h5; step 4 is skipped without it)
#        ML_APP_K8S_WORK       logs, reports, registry storage (default /var/tmp/ml-app-k8s)
#        ML_APP_K8S_AUTOSCALING_PHASES  the autoscaling run's load phases (scripts/lib/autoscaling.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared
WORK=${ML_APP_K8S_WORK:-/var/tmp/ml-app-k8s}
INVENTORY=${ML_APP_K8S_INVENTORY:-$ROOT/ansible/ci/inventory.ini}
NODE=${ML_APP_K8S_NODE:-127.0.0.1}
NAMESPACE=${ML_APP_K8S_NAMESPACE:-default}
MODEL=${ML_APP_K8S_MODEL:-$SHARED/models/vgg16_food11_demo/model.h5}
PHOTO=$SHARED/images/food_noodles.jpg
REPLICAS=5
URL=http://$NODE:32000
START=$SECONDS
FIGURES=$WORK/figures.txt
# shellcheck source=../lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
# shellcheck source=../lib/verify.sh
source "$ROOT/scripts/lib/verify.sh"
# shellcheck source=../lib/metrics-api.sh
source "$ROOT/scripts/lib/metrics-api.sh"
# shellcheck source=../lib/autoscaling.sh
source "$ROOT/scripts/lib/autoscaling.sh"
# shellcheck source=../lib/disk.sh
source "$ROOT/scripts/lib/disk.sh"
jdk_use # the JDK ./mvnw and ./ml-app use
JAVA=$JAVA_HOME/bin/java
JAR=$ROOT/target/ml-app.jar

log() { printf '== [%ss] %s\n' $((SECONDS - START)) "$*"; }
die() { echo "test-kubernetes: $*" >&2; exit 1; }
figure() { echo "figure: $*" | tee -a "$FIGURES"; }
k() { kubectl --namespace "$NAMESPACE" "$@"; }
# the pods that serve now: not those of an earlier rollout still shown as Terminating (kubelet 1.20 lingers)
serving_pods() {
    k get pods -l app=ml-app -o json | python3 -c 'import json, sys
print(" ".join(p["metadata"]["name"] for p in json.load(sys.stdin)["items"] if not p["metadata"].get("deletionTimestamp")))'
}

# name=restartCount for each ml-app pod, one a line
restart_counts() {
    k get pods -l app=ml-app -o jsonpath='{range .items[*]}{.metadata.name}={.status.containerStatuses[0].restartCount}{"\n"}{end}'
}


[[ -n "${KUBECONFIG:-}" || -f "$HOME/.kube/config" ]] || die "set KUBECONFIG to the cluster's kubeconfig"
# buildah's vfs storage (a full copy of each layer) holds the demo's and three builds of the app's image
require_free_disk /var/lib/containers 10 "the cluster test" || exit 1
for tool in kubectl ansible-playbook curl python3 rsync; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -f "$PHOTO" ]] || die "the test photo $PHOTO is missing (../shared/images)"
mkdir -p "$WORK" && : >"$FIGURES"

# --- the cluster -----------------------------------------------------------------------------------------------
kubectl get nodes -o wide >/dev/null || die "kubectl cannot reach the cluster (KUBECONFIG=${KUBECONFIG:-})"
server_version=$(kubectl version -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')
minor=$(kubectl version -o json 2>/dev/null | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["serverVersion"]["minor"].rstrip("+")))')
nodes=$(kubectl get nodes -o name | wc -l)
node_cpu=$(kubectl get nodes -o jsonpath='{range .items[*]}{.status.allocatable.cpu} {end}')
if [[ -z "${ML_APP_K8S_OVERLAY:-}" ]]; then
    if ((minor < 21)); then OVERLAY=k8s-overlays/k8s-1.20; why="Kubernetes $server_version serves policy/v1beta1 and autoscaling/v2beta2 only"
    elif ((nodes == 1)); then OVERLAY=k8s-overlays/small-node; why="one node"
    else OVERLAY=k8s; why="$nodes nodes"; fi
else
    OVERLAY=$ML_APP_K8S_OVERLAY; why="ML_APP_K8S_OVERLAY"
fi
# the Metrics API (metrics-server), as the course's cluster has it: kubectl top, monitor's usage, the autoscaler
if kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes >/dev/null 2>&1; then
    METRICS_API=1
elif [[ "${CI:-}" == true ]]; then
    die "the cluster has no Metrics API (kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes fails): start the kit with K8S_METRICS=1"
else
    METRICS_API=0
    echo "test-kubernetes: the cluster has no Metrics API (start ../shared/k8s with K8S_METRICS=1): kubectl top pods, the monitor check and the autoscaling run are skipped" >&2
fi
figure "cluster = $server_version, $nodes node(s), allocatable CPU per node: $node_cpu, Metrics API: $( ((METRICS_API)) && echo yes || echo no), date $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "deploying $OVERLAY ($why)"

# --- the registry ------------------------------------------------------------------------------------------------
# The inventory's registry. If ansible-inventory cannot answer, what it said is shown: in CI it once refused a
# non-blocking stdin (left so by an earlier phase; .ci/run now gives each phase its own /dev/null), and the test went
# on to the role default, a registry that is not there.
inventory_registry() {
    local out err attempt
    err=$(mktemp)
    for attempt in 1 2 3; do
        if out=$(ansible-inventory -i "$INVENTORY" --host node-0 2>"$err") && [[ -n $out ]]; then
            python3 -c 'import json,sys; print(json.load(sys.stdin).get("mlapp_registry", ""))' <<<"$out"
            rm -f "$err"
            return
        fi
        echo "test-kubernetes: ansible-inventory -i $INVENTORY --host node-0 gave no answer (attempt $attempt of 3):" \
            "$(tail -3 "$err" | tr '\n' ' ')" >&2
        sleep 2
    done
    rm -f "$err"
}
REGISTRY=${ML_APP_K8S_REGISTRY:-$(inventory_registry)}
[[ -n "$REGISTRY" ]] || REGISTRY=$(sed -n 's/^mlapp_registry: *"\(.*\)"/\1/p' "$ROOT/ansible/roles/mlapp_common/defaults/main.yml")
REGISTRY_PID=
if ! curl -fsS -o /dev/null --max-time 5 "http://$REGISTRY/v2/" 2>/dev/null; then
    case $REGISTRY in
        127.0.0.1:*|localhost:*) ;;
        *) die "the registry $REGISTRY does not answer (http://$REGISTRY/v2/); start it on node-0 first" ;;
    esac
    command -v docker-registry >/dev/null || die "docker-registry is not installed (apt-get install docker-registry)"
    log "starting a registry on $REGISTRY (loopback, no auth)"
    rm -rf "$WORK/registry" && mkdir -p "$WORK/registry"
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n' \
        "$WORK/registry" "$REGISTRY" >"$WORK/registry.yml"
    setsid docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
    REGISTRY_PID=$!
    for _ in $(seq 50); do curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.2; done
fi

if [[ "$INVENTORY" == "$ROOT/ansible/ci/inventory.ini" ]]; then
    # this machine has no Docker engine and no registry to pull base images from: buildah builds on local stand-ins
    log "base image stand-ins for buildah (scripts/deploy/build-image.sh --stand-ins-only)"
    ML_APP_IMAGE_CACHE=${ML_APP_IMAGE_CACHE:-/var/tmp/ml-app-ansible/image-cache} "$ROOT/scripts/deploy/build-image.sh" \
        --stand-ins-only >"$WORK/stand-ins.log" 2>&1 || { tail -20 "$WORK/stand-ins.log" >&2; die "the stand-ins failed"; }
fi

PLAYBOOK_ARGS=(-i "$INVENTORY" -e mlapp_deploy_target=kubernetes
    -e "mlapp_registry=$REGISTRY" -e "mlapp_namespace=$NAMESPACE" -e "mlapp_project_src=$ROOT"
    -e "mlapp_smoke_image=$PHOTO" -e "mlapp_smoke_host=$NODE")
[[ "$INVENTORY" == "$ROOT/ansible/ci/inventory.ini" ]] && PLAYBOOK_ARGS+=(-e "mlapp_project_dir=$WORK/node-0/ml-app")
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

LOADS=()
cleanup() {
    local status=$?
    for pid in "${LOADS[@]}"; do kill "$pid" 2>/dev/null || true; done
    if ((status != 0)); then
        echo "--- pods and recent events (the test failed)" >&2
        k get pods -o wide >&2 2>/dev/null || true
        k get events --sort-by=.lastTimestamp 2>/dev/null | tail -25 >&2 || true
    fi
    if [[ -n "${TORN_DOWN_NEEDED:-}" ]]; then
        (cd "$ROOT/ansible" && ansible-playbook "${PLAYBOOK_ARGS[@]}" teardown.yml >"$WORK/teardown-on-exit.log" 2>&1) || true
    fi
    [[ -n "$REGISTRY_PID" ]] && kill "$REGISTRY_PID" 2>/dev/null || true
}
trap cleanup EXIT

playbook() { # NAME PLAYBOOK [ARGS...]: runs it, prints the smoke test's findings and the recap, fails with the cause
    local name=$1 book=$2; shift 2
    TORN_DOWN_NEEDED=1
    if ! (cd "$ROOT/ansible" && ansible-playbook "${PLAYBOOK_ARGS[@]}" "$@" "$book") >"$WORK/$name.log" 2>&1; then
        grep -E -A25 'fatal:|FAILED!' "$WORK/$name.log" | head -80 >&2
        die "$book failed ($name; log: $WORK/$name.log)"
    fi
    grep -E 'replicas answered|predicted' "$WORK/$name.log" | sed 's/^ *msg: *//' || true
    grep -A1 'PLAY RECAP' "$WORK/$name.log" | tail -1
}

sizing_report() { # NAME: what the deploy role's mlapp_deploy_resources auto measured (its "Show the sizing" message)
    python3 - "$WORK/$1.log" <<'PY'
import sys, yaml
lines = open(sys.argv[1]).read().splitlines()
start = max(i for i, l in enumerate(lines) if "Show the sizing deployed" in l)
ok = next(i for i in range(start, len(lines)) if lines[i].startswith("ok: ["))
block = []
for l in lines[ok + 1:]:
    if not l.strip():
        break
    block.append(l)
print(" ".join(str(yaml.safe_load("\n".join(block))["msg"]).split()))
PY
}

rollout_seconds() { # NAME: how long the playbook's "Wait for the rollout" task took (Ansible's profile_tasks)
    grep -E 'Wait for the rollout to finish\. -+ [0-9.]+s' "$WORK/$1.log" | tail -1 | grep -oE '[0-9.]+s$' || echo "?"
}

explain_pods() { # SELECTOR: why each pod that is not Ready is not
    k get pods -l "$1" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{" ready="}{.status.containerStatuses[*].ready}{" "}{range .status.conditions[?(@.status=="False")]}{.type}: {.message} {end}{.status.containerStatuses[*].state.waiting.reason}{" "}{.status.containerStatuses[*].state.waiting.message}{"\n"}{end}'
}

wait_ready() { # DEPLOYMENT SELECTOR TIMEOUT_S: waits for the rollout, says why pods are not Ready if it does not finish
    local t0=$SECONDS
    if ! k rollout status "deployment/$1" --timeout="${3}s" >/dev/null; then
        echo "deployment/$1 is not ready after $3 s; pods that are not Ready and why:" >&2
        explain_pods "$2" >&2
        die "rollout of $1 did not finish"
    fi
    echo $((SECONDS - t0))
}

ready_count() { k get pods -l "$1" -o jsonpath='{range .items[*]}{.status.containerStatuses[0].ready}{"\n"}{end}' | grep -c true || true; }

[[ -f "$JAR" ]] || { log "building target/ml-app.jar for the load tests"; (cd "$ROOT" && ./mvnw -B -q -DskipTests package); }
loadtest() { # NAME ARGS...: the project's load tester with a JSON report in $WORK/NAME.json
    local name=$1; shift
    "$JAVA" -jar "$JAR" loadtest --url "$URL" --json "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
}
summary() { # NAME: one line from a loadtest JSON report
    python3 - "$WORK/$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
pods = sorted((p["requests"] for p in r.get("pods", []) if p["requests"] > 0), reverse=True)
chi = r.get("chi_square") or {}
fails = ", ".join(f"{k}: {v}" for k, v in r.get("failures", {}).items())
print(f'{r["failed"]} failed of {r["requests"]} ({fails or "no failures"}); {len(pods)} pods answered, '
      f'spread {"/".join(map(str, pods))}; chi2 p = {chi.get("p_value", float("nan")):.3g}; '
      f'p50 {r["latency_ms"]["p50"]:.0f} ms, p99 {r["latency_ms"]["p99"]:.0f} ms; {r["throughput_rps"]:.1f} req/s')
PY
}
json_field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"r": r}))' "$WORK/$1.json" "$2"; }

check_spread() { # NAME: all replicas answered and the χ² test does not reject an even split
    local pods p
    pods=$(json_field "$1" 'len([p for p in r.get("pods", []) if p["requests"] > 0])')
    p=$(json_field "$1" '(r.get("chi_square") or {}).get("p_value", 0)')
    ((pods == REPLICAS)) || die "$1: only $pods of $REPLICAS pods answered through the node port"
    python3 -c "import sys; sys.exit(0 if $p >= 0.001 else 1)" \
        || die "$1: the spread over pods is far from even (chi2 p = $p)"
}

memory_table() { # SELECTOR: each pod's resident memory now (its /metrics, the same source as 'ml-app monitor')
    "$JAVA" -jar "$JAR" monitor --duration 0 --selector "$1" --namespace "$NAMESPACE" 2>&1
}

under_load() { # NAME RATE [LOADTEST ARGS]: open-loop load (default: POST /predict with the photo) in the
    # background, in 20 s runs back to back until finish_load
    local name=$1 rate=$2
    shift 2
    local args=("$@")
    ((${#args[@]})) || args=(--image "$PHOTO")
    rm -f "$WORK/$name".*.json "$WORK/$name.stop"
    (
        i=0
        while [[ ! -e "$WORK/$name.stop" ]]; do
            i=$((i + 1))
            loadtest "$name.$i" "${args[@]}" --rate "$rate" --concurrency 32 --duration 20s --timeout 20s \
                --new-connection || true
        done
    ) &
    LOAD_PID=$!
    LOADS+=("$LOAD_PID")
    sleep 5 # the load runs before the change starts
}

finish_load() { # NAME: lets the load run 5 s past the change, stops it, fails on any failed request
    local name=$1 failed
    sleep 5
    touch "$WORK/$name.stop"
    wait "$LOAD_PID" || true
    python3 "$ROOT/scripts/lib/load-runs-summary.py" "$WORK" "$name" >"$WORK/$name.summary"
    failed=$(head -1 "$WORK/$name.summary")
    figure "$name: $(tail -1 "$WORK/$name.summary")"
    ((failed == 0)) || die "$name: $failed requests failed during the change (reports: $WORK/$name.*.json)"
}

# --- 1. the pod-identity demo ----------------------------------------------------------------------------------
log "1. lb-demo.yml: the hello demo (image build and push included)"
t0=$SECONDS
playbook lb-demo lb-demo.yml --tags all,verify
figure "hello demo: lb-demo.yml took $((SECONDS - t0)) s (apply to $(ready_count app=hello-lb)/$REPLICAS Ready: $(rollout_seconds lb-demo))"
loadtest hello-spread --path /whoami --requests 200 --concurrency 4 --new-connection --expect-pods "$REPLICAS"
figure "hello demo spread over 200 new connections: $(summary hello-spread)"
check_spread hello-spread
memory_table app=hello-lb | tee "$WORK/hello-memory.txt"

log "teardown.yml: the demo makes way for the ML app (both use node port 32000)"
playbook teardown-demo teardown.yml
for _ in $(seq 60); do [[ -z "$(k get pods -l app=hello-lb -o name)" ]] && break; sleep 2; done

# --- 2. deploy.yml from a clean state ----------------------------------------------------------------------------
log "2. deploy.yml (first run: build, push, apply, smoke test)"
t0=$SECONDS
playbook deploy-first deploy.yml --tags all,verify -e "mlapp_k8s_dir=$OVERLAY" -e mlapp_model_required=false
figure "deploy.yml first run: $((SECONDS - t0)) s (apply to $(ready_count app=ml-app)/$REPLICAS Ready: $(rollout_seconds deploy-first))"
(( $(ready_count app=ml-app) == REPLICAS )) || { explain_pods app=ml-app >&2; die "not all $REPLICAS pods are Ready"; }
loadtest ml-spread --path /whoami --requests 200 --concurrency 4 --new-connection --expect-pods "$REPLICAS"
figure "ML app spread over 200 new connections: $(summary ml-spread)"
check_spread ml-spread
curl -fsS --max-time 30 -F "file=@$PHOTO" "$URL/api/v1/predict" >"$WORK/predict.json" \
    || die "/api/v1/predict through the node port failed"
figure "/api/v1/predict with $(basename "$PHOTO"): $(head -c 300 "$WORK/predict.json")"
memory_table app=ml-app | tee "$WORK/ml-memory.txt"
figure "ML app pods from creation to Ready (the shipped probes, five at once): $(creation_to_ready app=ml-app) s"

if ((METRICS_API)); then
    log "2a. kubectl top pods, monitor --csv against the Metrics API, loadtest.yml's resource samples"
    top_pods "$REPLICAS"
    check_monitor_csv
    rm -rf "$WORK/reports"
    playbook loadtest-k8s loadtest.yml --tags all,verify -e mlapp_loadtest_duration=15 -e "mlapp_loadtest_fetch_dir=$WORK/reports"
    figure "loadtest.yml top-pods.txt: $(grep -m5 -E '^ml-app-' "$WORK"/reports/loadtest-*/top-pods.txt | awk '{print $1 " " $2 " " $3}' | paste -sd';' | sed 's/;/; /g')"
fi

log "2b. the roles' verify on the cluster: passes as deployed, fails in mlapp_deploy when 6 replicas are expected"
# --tags verify alone: the outputs of the run that deployed are given as it set them (the smoke test's record is
# not, so its verify is skipped); the registry's and image's verify run too
image=$(k get deployment ml-app -o jsonpath='{.spec.template.spec.containers[0].image}')
pods=$(serving_pods | python3 -c 'import json, sys; print(json.dumps({"mlapp_deploy_pods": sys.stdin.read().split()}))')
VERIFY_ARGS=(--tags verify --skip-tags smoke -e "mlapp_k8s_dir=$OVERLAY" -e "mlapp_image_digest=${image##*@}" -e "$pods")
playbook verify-deployed deploy.yml "${VERIFY_ARGS[@]}"
if (cd "$ROOT/ansible" && ansible-playbook "${PLAYBOOK_ARGS[@]}" "${VERIFY_ARGS[@]}" -e mlapp_replicas=6 deploy.yml) \
    >"$WORK/verify-6-replicas.log" 2>&1; then
    die "mlapp_deploy's verify passed expecting 6 replicas where 5 run: it cannot fail"
fi
message=$(failed_in_role "$WORK/verify-6-replicas.log" mlapp_deploy) || die "expecting 6 replicas, the wrong role failed"
figure "verify on the cluster: registry, image and deploy pass as deployed; expecting 6 replicas: $message"

# --- 3. a rolling restart, evictions and a second deploy.yml are the lab's (scripts/test/test-lab.sh, docs/lab.md):
# its rolling update moves pods between three nodes under load, its kubectl drain is paced by the PodDisruptionBudget
# (which must refuse an eviction), and its second deploy.yml over SSH reports changed=0: this single node proves
# nothing more of them.

# --- 3c. autoscaling under the course's load ----------------------------------------------------------------------
if ((METRICS_API)); then
    log "3c. autoscaling: the HPA owns the count, the course's load test compressed"
    t0=$SECONDS
    autoscaling_run -e "mlapp_k8s_dir=$OVERLAY" -e mlapp_model_required=false
    figure "autoscaling run: $((SECONDS - t0)) s in all (deploy, load, scale-down)"
fi

# --- 4. the course's model -------------------------------------------------------------------------------------------
if [[ -f "$MODEL" ]]; then
    log "4a. deploy.yml with $(basename "$(dirname "$MODEL")") as the user's model: build and push the new image first"
    # five VGG16 pods load one after another on a busy machine; the pods' requests and limits are measured by the
    # deploy role (ml-app size with the image, mlapp_deploy_resources auto) and the load below proves them
    VGG16_ARGS=(-e "mlapp_k8s_dir=$OVERLAY" -e "mlapp_model_path=$MODEL" -e mlapp_model_required=true
        -e mlapp_deploy_rollout_timeout=900s -e mlapp_deploy_resources=auto
        -e '{"mlapp_deploy_sizing_args": ["--concurrency", "4", "--warm-up", "5s", "--duration", "20s"]}')
    t0=$SECONDS
    playbook build-vgg16 deploy.yml "${VGG16_ARGS[@]}" --tags registry,sources,image
    figure "image with the course's model built and pushed in $((SECONDS - t0)) s"
    # GET /whoami: what the rollout can lose is connections, and a VGG16 prediction costs seconds of CPU on a small
    # node, so POSTs would measure the CPU (overload refusals), not the rollout
    log "4a. deploy.yml again: the image change rolls out under 5 requests/s of GET /whoami"
    under_load image-change-load 5 --path /whoami
    t0=$SECONDS
    playbook deploy-vgg16 deploy.yml "${VGG16_ARGS[@]}"
    figure "deploy.yml with the course's model: $((SECONDS - t0)) s (sizing, rollout of the new image: $(rollout_seconds deploy-vgg16), then the smoke test)"
    finish_load image-change-load
    figure "ml-app size in deploy.yml ($(basename "$(dirname "$MODEL")"), mlapp_deploy_resources auto): $(sizing_report deploy-vgg16)"
    figure "$(basename "$(dirname "$MODEL")") deployment's resources: $(k get deployment ml-app -o jsonpath='{.spec.template.spec.containers[0].resources}')"

    log "4b. 16 concurrent uploads for 60 s, monitored every 2 s"
    restarts_before=$(restart_counts)
    "$JAVA" -jar "$JAR" monitor --duration 70s --interval 2s --namespace "$NAMESPACE" --pods-csv "$WORK/vgg16-monitor.csv" \
        >"$WORK/vgg16-monitor.txt" 2>&1 &
    MONITOR_PID=$!
    LOADS+=("$MONITOR_PID")
    loadtest vgg16-load --image "$PHOTO" --concurrency 16 --duration 60s --timeout 60s || true
    wait "$MONITOR_PID" || true
    figure "VGG16 under 16 concurrent uploads: $(summary vgg16-load)"
    pods_state=$(k get pods -l app=ml-app -o jsonpath='{range .items[*]}{.metadata.name} restarts={.status.containerStatuses[0].restartCount} last={.status.containerStatuses[0].lastState.terminated.reason} ready={.status.containerStatuses[0].ready}{"\n"}{end}')
    echo "$pods_state"
    grep -q 'OOMKilled' <<<"$pods_state" && die "a pod was OOMKilled"
    restarts_after=$(restart_counts)
    # by pod name: a pod of the rollout before may still have been Terminating at the start (kubelet 1.20 lingers)
    # and gone by now; a pod that restarted, or one that appeared during the load (a replacement), fails
    moved=$(awk -F= 'NR == FNR { before[$1] = $2; next } !($1 in before) || before[$1] != $2' \
        <(echo "$restarts_before") <(echo "$restarts_after"))
    [[ -z "$moved" ]] || die "pods restarted or were replaced under load: $(echo $moved) (before: $(echo $restarts_before))"
    restarts_after=$(cut -d= -f2 <<<"$restarts_after" | paste -sd' ')
    restarts_before=$(cut -d= -f2 <<<"$restarts_before" | paste -sd' ')
    # only the pods that serve: one of the previous rollout, Terminating all along, is never Ready
    not_ready=$(awk -F, -v pods="$(serving_pods)" 'BEGIN { n = split(pods, p, " "); for (i = 1; i <= n; i++) serving[p[i]] = 1 }
        NR > 1 && ($2 in serving) && $3 != "true"' "$WORK/vgg16-monitor.csv" | wc -l)
    figure "VGG16 pods during the load: restarts $restarts_after (before: $restarts_before), no OOMKill, snapshots with a pod not Ready: $not_ready"
    ((not_ready == 0)) || die "readiness was lost under load ($not_ready snapshots; $WORK/vgg16-monitor.csv)"
    limit=$(k get deployment ml-app -o jsonpath='{.spec.template.spec.containers[0].resources.limits.memory}')
    request=$(k get deployment ml-app -o jsonpath='{.spec.template.spec.containers[0].resources.requests.memory}')
    peaks=""
    # the pods that serve now: not those of an earlier rollout still shown as Terminating (kubelet 1.20 lingers)
serving=$(serving_pods)
for pod in $serving; do
        # the container's own cgroup (v1 or v2): the peak the kernel's OOM killer compares with the limit
        # (the image has sh but no cat: its read builtin does)
        peak=$(k exec "$pod" -- sh -c 'read -r v </sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null \
            || read -r v </sys/fs/cgroup/memory.peak; echo "$v"' 2>/dev/null || echo 0)
        peaks+="$((peak / 1048576)) "
    done
    rss_peak=$(python3 - "$WORK/vgg16-monitor.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
mem = [float(r["memory_bytes"]) for r in rows if r.get("memory_bytes") not in (None, "", "-1")]
print(f"{max(mem) / 2**20:.0f}" if mem else "unknown")
PY
)
    figure "VGG16 memory: cgroup peak per pod (MiB) $peaks; resident peak from /metrics ${rss_peak} MiB; request $request, limit $limit"
    cat "$WORK/vgg16-monitor.txt" | tail -12

    log "4c. deploy.yml again with the course's model: the sizing of this image is kept, nothing changes"
    t0=$SECONDS
    playbook deploy-vgg16-again deploy.yml "${VGG16_ARGS[@]}"
    recap=$(grep -A1 'PLAY RECAP' "$WORK/deploy-vgg16-again.log" | tail -1)
    grep -q 'changed=0 ' <<<"$recap" || { grep -B1 -E '^changed:' "$WORK/deploy-vgg16-again.log" | grep TASK >&2 || true; die "the second deploy.yml with mlapp_deploy_resources auto changed something: $recap"; }
    sizing=$(sizing_report deploy-vgg16-again)
    grep -q 'kept from an earlier deploy' <<<"$sizing" || die "the second deploy.yml measured the same image again: $sizing"
    figure "deploy.yml again with the course's model and mlapp_deploy_resources auto: $((SECONDS - t0)) s, changed=0, $(cut -d: -f1 <<<"$sizing")"
else
    log "4. skipped: the course-shaped model $MODEL is not there (../shared/models)"
fi

# --- 5. teardown ---------------------------------------------------------------------------------------------------
log "5. teardown.yml"
playbook teardown teardown.yml
unset TORN_DOWN_NEEDED
left=""
for _ in $(seq 60); do
    left=$(k get deployments,replicasets,pods,services,pdb,hpa,configmaps -o name 2>/dev/null \
        | grep -v -E '^(service/kubernetes|configmap/kube-root-ca.crt)$' || true)
    [[ -z "$left" ]] && break
    sleep 2
done
[[ -z "$left" ]] || die "teardown.yml left in namespace $NAMESPACE: $left"
figure "teardown.yml: namespace $NAMESPACE holds nothing of the app ($((SECONDS - START)) s since the start)"

log "all cluster checks passed in $((SECONDS - START)) s; figures:"
cat "$FIGURES"

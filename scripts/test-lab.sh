#!/usr/bin/env bash
# Proves the course's deployment on the three-node lab (scripts/lab/up.sh, docs/lab.md), from this machine as the
# user's laptop, over real SSH:
#   1. the lab up: node-0 (control plane, Docker, registry), node-1 (containerd), node-2 (Docker); no worker trusts
#      the plain-HTTP registry;
#   2. ansible-playbook -i ansible/lab/inventory.ini deploy.yml: the model copied to node-0, the image built there with
#      Docker and pushed to node-0's registry, every worker's runtime made to trust it (detected per node) and pull
#      it, five replicas spread over the three nodes, the smoke tests through node port 32000 on every node; then the
#      project's loadtest through each node's 32000; a second deploy.yml reports changed=0;
#   3. node loss under load: a worker's processes (kubelet, runtime, pods, sshd) killed at once while loadtest runs
#      through node-0's 32000: failed requests, time until the endpoints drop its pods, until five replicas are Ready
#      on the other nodes; then the node comes back;
#   4. kubectl drain of a worker under load (PodDisruptionBudget): 0 failed; a rolling update over the three nodes
#      under load: 0 failed;
#   5. a retrained model reaches every pod: by Ansible (a new digest), then by the README's manual commands on
#      node-0 (docker build/push of the same tag, imagePullPolicy Always, kubectl rollout restart): every pod's
#      /api/v1/model shows the new model's sha256;
#   6. teardown.yml; the lab is taken down whatever happens (trap).
# Every figure is printed as "figure: ..." and collected in $WORK/figures.txt. Exits non-zero when a check fails.
#
# Usage: scripts/test-lab.sh   (as root on Debian 12; CI: .ci/run)
# Env:   ML_APP_LAB_MODEL    the model deployed first (default ../shared/models/mobilenetv2_food11_demo/model.h5)
#        ML_APP_LAB_MODEL2   the "retrained" model (default ../shared/models/vgg16_food11_demo/model.h5)
#        ML_APP_LAB_WORK     logs and load reports (default /var/tmp/ml-app-lab-test)
#        ML_APP_LAB_KEEP=1   leave the lab up at the end (for a look; scripts/lab/down.sh removes it)
#        ML_APP_LAB_FROM=node-loss|retrain  on a lab left up with the app deployed: start at the node loss, or at the
#                            retrained model
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared
WORK=${ML_APP_LAB_WORK:-/var/tmp/ml-app-lab-test}
MODEL=${ML_APP_LAB_MODEL:-$SHARED/models/mobilenetv2_food11_demo/model.h5}
MODEL2=${ML_APP_LAB_MODEL2:-$SHARED/models/vgg16_food11_demo/model.h5}
INVENTORY=$ROOT/ansible/lab/inventory.ini
REPLICAS=5
START=$SECONDS
FIGURES=$WORK/figures.txt
# shellcheck source=lab/lib.sh
source "$ROOT/scripts/lab/lib.sh"
# shellcheck source=lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
jdk_use
JAVA=$JAVA_HOME/bin/java
JAR=$ROOT/target/ml-app.jar

log() { printf '== [%ss] %s\n' $((SECONDS - START)) "$*"; }
die() { echo "test-lab: FAILED: $*" >&2; exit 1; }
figure() { echo "figure: $*" | tee -a "$FIGURES"; }
k() { kubectl --kubeconfig "$KCFG" --request-timeout=10s "$@"; }

[ "$(id -u)" = 0 ] || die "run it as root (the lab makes namespaces, a bridge and mounts)"
for f in "$MODEL" "$MODEL2"; do [ -f "$f" ] || die "no model $f (ML_APP_LAB_MODEL, ML_APP_LAB_MODEL2)"; done
command -v ansible-playbook >/dev/null || die "ansible-playbook is not installed (apt-get install ansible)"
rm -rf "$WORK"; mkdir -p "$WORK"
LOADS=()
cleanup() {
  local rc=$?
  for p in "${LOADS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "${ML_APP_LAB_KEEP:-0}" = 1 ]; then log "the lab stays up (ML_APP_LAB_KEEP=1)"
  else log "down"; "$ROOT/scripts/lab/down.sh" >"$WORK/down.log" 2>&1 || { echo "test-lab: down.sh failed (see $WORK/down.log)" >&2; rc=1; }; fi
  [ "$rc" = 0 ] && log "test-lab: all checks passed in $((SECONDS - START)) s" || log "test-lab: FAILED (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT

phase_start() { PHASE_T0=$SECONDS; log "$*"; }
phase_end() { log "  ($1: $((SECONDS - PHASE_T0)) s)"; }

# ---------------------------------------------------------------- 1. the lab
phase_start "lab up"
lab_env=$("$ROOT/scripts/lab/up.sh" 2>"$WORK/up.log") || { tail -40 "$WORK/up.log" >&2; die "scripts/lab/up.sh"; }
eval "$lab_env"
{ grep -E '^\[ *[0-9.]+s\]' "$WORK/up.log" || true; } | sed 's/^/   /'
phase_end "lab up"
[ -f "$JAR" ] || { log "building target/ml-app.jar for the load tests"; (cd "$ROOT" && ./mvnw -B -q -DskipTests package); }
phase_start "base images for node-0's Docker"
"$ROOT/scripts/lab/stand-ins.sh" >"$WORK/stand-ins.log" 2>&1 || { tail -20 "$WORK/stand-ins.log" >&2; die "scripts/lab/stand-ins.sh"; }
phase_end "stand-ins"
for n in node-1 node-2; do # a fresh cluster: no worker trusts the registry yet
  if grep -q 'already up' "$WORK/up.log"; then log "  (the lab was up already: the workers' trust before Ansible is not checked)"; break; fi
  if in_node "$n" test -e /etc/containerd/certs.d/10.10.1.1:5000/hosts.toml ||
     in_node "$n" grep -qs 10.10.1.1:5000 /etc/docker/daemon.json; then die "$n trusts the registry before Ansible ran"; fi
done

# ---------------------------------------------------------------- 2. deploy over SSH
playbook() { # NAME ARGS...: ansible-playbook over SSH, log in WORK/NAME.log, the recap echoed
  local name=$1; shift
  (cd "$ROOT/ansible" && ANSIBLE_FORCE_COLOR=0 ansible-playbook -i "$INVENTORY" "$@") >"$WORK/$name.log" 2>&1 \
    || { grep -E -A12 'fatal:|FAILED!' "$WORK/$name.log" | head -60 >&2; die "ansible-playbook $* (log $WORK/$name.log)"; }
  sed -n '/PLAY RECAP/,$p' "$WORK/$name.log" | sed 's/^/   /'
}
recap_changed() { sed -n '/PLAY RECAP/,$p' "$WORK/$1.log" | grep -o 'changed=[0-9]*' | awk -F= '{ s += $2 } END { print s + 0 }'; }
if [ -z "${ML_APP_LAB_FROM:-}" ]; then
phase_start "deploy.yml over SSH (laptop -> node-0 -> workers)"
playbook deploy1 deploy.yml -e "mlapp_model_path=$MODEL"
phase_end "first deploy.yml"
figure "deploy over SSH: first deploy.yml $((SECONDS - PHASE_T0)) s ($(grep -c '^changed:' "$WORK/deploy1.log") tasks changed)"
log "what Ansible wrote on the workers"
for n in node-1 node-2; do
  if [ "$(node_runtime "$n")" = docker ]; then echo "   $n /etc/docker/daemon.json:"; in_node "$n" sed 's/^/     /' /etc/docker/daemon.json
  else echo "   $n /etc/containerd/certs.d/10.10.1.1:5000/hosts.toml:"; in_node "$n" sed 's/^/     /' /etc/containerd/certs.d/10.10.1.1:5000/hosts.toml; fi
done | tee "$WORK/worker-config.txt"
fi

pods_json() { k get pods -l app=ml-app -o json; }
# NODE COUNT lines: the serving pods per node (not those being deleted)
placement() {
  pods_json | python3 -c 'import json, sys, collections
c = collections.Counter(p["spec"].get("nodeName", "-") for p in json.load(sys.stdin)["items"] if not p["metadata"].get("deletionTimestamp"))
print(", ".join(f"{n} {c.get(n, 0)}" for n in ("node-0", "node-1", "node-2")))'
}
ready_off() { # NODE: ready ml-app pods on the other nodes
  pods_json | python3 -c 'import json, sys
off = sys.argv[1]
print(sum(1 for p in json.load(sys.stdin)["items"] if not p["metadata"].get("deletionTimestamp")
      and p["spec"].get("nodeName") != off
      and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))))' "$1"
}
k get pods -l app=ml-app -o wide | tee "$WORK/pods-after-deploy.txt" | sed 's/^/   /'
spread=$(placement)
for n in node-0 node-1 node-2; do
  echo "$spread" | grep -q "$n [1-9]" || die "no replica on $n after deploy.yml ($spread): the spread constraint did not spread"
done
figure "lab nodes: $(k get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.addresses[?(@.type=="InternalIP")].address} {.status.nodeInfo.containerRuntimeVersion}; {end}')replicas per node: $spread"

loadtest() { # NAME URL ARGS...: the project's load tester with a JSON report in WORK/NAME.json
  local name=$1 url=$2; shift 2
  "$JAVA" -jar "$JAR" loadtest --url "$url" --json "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
}
summary() {
  python3 - "$WORK/$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
pods = sorted((p["requests"] for p in r.get("pods", []) if p["requests"] > 0), reverse=True)
fails = ", ".join(f"{k}: {v}" for k, v in r.get("failures", {}).items())
print(f'{r["failed"]} failed of {r["requests"]} ({fails or "no failures"}); {len(pods)} pods answered, '
      f'spread {"/".join(map(str, pods))}; p50 {r["latency_ms"]["p50"]:.0f} ms, p99 {r["latency_ms"]["p99"]:.0f} ms')
PY
}
json_field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"r": r}))' "$WORK/$1.json" "$2"; }
if [ -z "${ML_APP_LAB_FROM:-}" ]; then
phase_start "loadtest through each node's 32000"
for n in "${LAB_NODES[@]}"; do
  loadtest "spread-$n" "http://$(node_ip "$n"):32000" --path /whoami --requests 150 --concurrency 4 --new-connection \
    --expect-pods "$REPLICAS" --timeout 10s || true
  figure "loadtest through $n ($(node_ip "$n"):32000): $(summary "spread-$n")"
  [ "$(json_field "spread-$n" 'r["failed"]')" = 0 ] || die "requests failed through $n"
  [ "$(json_field "spread-$n" 'len([p for p in r.get("pods", []) if p["requests"] > 0])')" = "$REPLICAS" ] \
    || die "not every replica answered through $n"
done
phase_end "loadtest through each node"
fi

if [ -z "${ML_APP_LAB_FROM:-}" ]; then
phase_start "second deploy.yml: nothing to change"
playbook deploy2 deploy.yml -e "mlapp_model_path=$MODEL"
changed=$(recap_changed deploy2)
figure "second deploy.yml: changed=$changed in $((SECONDS - PHASE_T0)) s"
[ "$changed" = 0 ] || { grep -B3 '^changed:' "$WORK/deploy2.log" | head -30 >&2; die "the second deploy.yml changed $changed things"; }
fi

# ---------------------------------------------------------------- load in the background
under_load() { # NAME URL SECONDS: open-loop load of /whoami on new connections, 20 requests/s
  rm -f "$WORK/$1.json"
  loadtest "$1" "$2" --path /whoami --rate 20 --concurrency 32 --duration "${3}s" --timeout 5s --new-connection &
  LOAD_PID=$!; LOADS+=("$LOAD_PID")
}
finish_load() { wait "$LOAD_PID" || true; }
failed_of() { json_field "$1" "str(r['failed']) + ' failed of ' + str(r['requests'])"; }

if [ "${ML_APP_LAB_FROM:-}" != retrain ]; then
# ---------------------------------------------------------------- 3. node loss
VICTIM=node-2
phase_start "node loss: $VICTIM killed while loadtest runs through node-0:32000"
under_load node-loss "http://$(node_ip node-0):32000" 150
sleep 10
on_victim=$(placement | grep -o "$VICTIM [0-9]*" | cut -d' ' -f2)
t_kill=$(now)
node_kill "$VICTIM" || die "could not kill $VICTIM"
log "  $VICTIM killed ($on_victim replicas on it)"
t_endpoints="" t_five=""
end=$((SECONDS + 240))
while [ -z "$t_five" ] && [ $SECONDS -lt $end ]; do
  if [ -z "$t_endpoints" ] && ! k get endpoints ml-app -o jsonpath='{range .subsets[*].addresses[*]}{.nodeName}{"\n"}{end}' | grep -qx "$VICTIM"; then
    t_endpoints=$(since "$t_kill"); log "  endpoints without $VICTIM's pods after ${t_endpoints} s"
  fi
  if [ -n "$t_endpoints" ] && [ "$(ready_off "$VICTIM")" -ge "$REPLICAS" ]; then
    t_five=$(since "$t_kill"); log "  $REPLICAS replicas Ready on the other nodes after ${t_five} s"
  fi
  sleep 1
done
finish_load
[ -n "$t_five" ] || { k get pods -o wide >&2; die "five replicas were not Ready on the remaining nodes within 240 s"; }
figure "node loss: $VICTIM ($on_victim of $REPLICAS replicas) killed under 20 req/s through node-0:32000: $(failed_of node-loss) ($(json_field node-loss 'r.get("failures", {})')); endpoints without its pods after ${t_endpoints} s; $REPLICAS Ready on node-0/node-1 after ${t_five} s (node-monitor-grace-period 40 s, tolerationSeconds 30)"
k get pods -l app=ml-app -o wide | sed 's/^/   /'
phase_start "$VICTIM comes back"
"$ROOT/scripts/lab/up.sh" --boot "$VICTIM" 2>>"$WORK/up.log" || die "up.sh --boot $VICTIM"
end=$((SECONDS + 120))
until [ "$(pods_json | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["items"] if p["metadata"].get("deletionTimestamp")))')" = 0 ]; do
  [ $SECONDS -lt $end ] || die "$VICTIM's old pods still Terminating 120 s after it came back"; sleep 2
done
figure "node back: $VICTIM Ready and its old pods cleaned up in $((SECONDS - PHASE_T0)) s; replicas per node: $(placement)"

# ---------------------------------------------------------------- 4. drain, rolling update
DRAINED=node-1
phase_start "kubectl drain $DRAINED under load (PodDisruptionBudget maxUnavailable 1)"
under_load drain "http://$(node_ip node-0):32000" 90
sleep 5
before=$(placement)
t0=$(now)
k drain "$DRAINED" --ignore-daemonsets --delete-emptydir-data --timeout=180s >"$WORK/drain.log" 2>&1 || { cat "$WORK/drain.log" >&2; die "kubectl drain $DRAINED"; }
t_drain=$(since "$t0")
finish_load
k uncordon "$DRAINED" >/dev/null
figure "drain: $(failed_of drain) requests under 20 req/s through node-0:32000 while $DRAINED was drained in ${t_drain} s (replicas per node before: $before; after: $(placement))"
[ "$(json_field drain 'r["failed"]')" = 0 ] || die "requests failed during the drain"

phase_start "rolling update over the three nodes under load"
under_load rollout "http://$(node_ip node-1):32000" 240
sleep 5
t0=$(now)
k rollout restart deployment/ml-app >/dev/null
k rollout status deployment/ml-app --timeout=300s >/dev/null || die "the rolling update did not finish"
t_roll=$(since "$t0")
finish_load   # the load runs its whole 240 s: past the rollout, and its report is complete
figure "rolling update: $(failed_of rollout) requests under 20 req/s through node-1:32000 during a restart of all $REPLICAS replicas in ${t_roll} s; replicas per node after: $(placement)"
[ "$(json_field rollout 'r["failed"]')" = 0 ] || die "requests failed during the rolling update"

fi

# ---------------------------------------------------------------- 5. a retrained model reaches every pod
pod_models() { # the sha256 of the model each serving pod reports (asked from node-0, which routes to every pod)
  local ip
  for ip in $(pods_json | python3 -c 'import json,sys
print(" ".join(p["status"]["podIP"] for p in json.load(sys.stdin)["items"] if not p["metadata"].get("deletionTimestamp") and p["status"].get("podIP")))'); do
    in_node node-0 curl -sf --max-time 10 "http://$ip:5000/api/v1/model" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"])' || echo "no-answer-from-$ip"
  done
}
check_models() { # WHAT FILE
  local want have
  want=$(sha256sum "$2" | cut -d' ' -f1)
  have=$(pod_models | sort | uniq -c | sed 's/^ *//')
  figure "retrained model, $1: every pod's /api/v1/model: $have (want $REPLICAS $want)"
  [ "$have" = "$REPLICAS $want" ] || die "$1: not every pod serves $2"
}
phase_start "retrained model by Ansible"
playbook deploy3 deploy.yml -e "mlapp_model_path=$MODEL2"
check_models "by deploy.yml (new digest)" "$MODEL2"
phase_end "retrained model by Ansible"

phase_start "retrained model by the README's manual commands on node-0"
scp -q -F "$SSH_CONFIG" "$MODEL" node-0:ml-app/ml-lb.h5
# The README's commands, as a user types them on node-0 (Kubernetes 1.20: the lab's overlay instead of k8s/)
ssh -F "$SSH_CONFIG" node-0 'set -e; cd ml-app
  export DOCKER_BUILDKIT=0
  docker build -t 10.10.1.1:5000/ml-app:0.1.0 . >/dev/null
  docker push 10.10.1.1:5000/ml-app:0.1.0 >/dev/null
  kubectl apply -k k8s-overlays/lab
  kubectl rollout restart deployment/ml-app
  kubectl rollout status deployment/ml-app --timeout=300s' >"$WORK/manual.log" 2>&1 || { cat "$WORK/manual.log" >&2; die "the README's manual commands"; }
check_models "by the README's docker build/push, kubectl apply -k, rollout restart" "$MODEL"
# Once more, the same tag with another model and only a restart: every node has that tag already, so only
# imagePullPolicy: Always gets the new image onto them
scp -q -F "$SSH_CONFIG" "$MODEL2" node-0:ml-app/ml-lb.h5
ssh -F "$SSH_CONFIG" node-0 'set -e; cd ml-app
  export DOCKER_BUILDKIT=0
  docker build -t 10.10.1.1:5000/ml-app:0.1.0 . >/dev/null
  docker push 10.10.1.1:5000/ml-app:0.1.0 >/dev/null
  kubectl rollout restart deployment/ml-app
  kubectl rollout status deployment/ml-app --timeout=300s' >>"$WORK/manual.log" 2>&1 || { cat "$WORK/manual.log" >&2; die "the README's manual commands, second time"; }
check_models "the same tag pushed again + kubectl rollout restart (imagePullPolicy Always)" "$MODEL2"
phase_end "retrained model by hand"

# ---------------------------------------------------------------- 6. teardown
phase_start "teardown.yml"
playbook teardown teardown.yml
# deleted pods linger as Terminating for a while on kubelet 1.20: wait for them, up to 120 s
end=$((SECONDS + 120))
until left=$(k get deployments,services,pods,poddisruptionbudgets -l app=ml-app -o name 2>/dev/null | grep -c . || true); [ "$left" = 0 ]; do
  [ $SECONDS -lt $end ] || die "teardown left $left objects after 120 s"; sleep 2
done
phase_end "teardown"

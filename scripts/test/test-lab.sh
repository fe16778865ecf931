#!/usr/bin/env bash
# Proves the course's deployment on the three-node lab (scripts/lab/up.sh, docs/lab.md), from this machine as the
# user's laptop, over real SSH:
#   1. the lab up: node-0 (control plane, Docker, registry), node-1 (containerd), node-2 (Docker); no worker trusts
#      the plain-HTTP registry;
#   2. ansible-playbook -i ansible/lab/inventory.ini deploy.yml: the model copied to node-0, the image built there with
#      Docker and pushed to node-0's registry, every worker's runtime made to trust it (detected per node) and pull
#      it, five replicas spread over the three nodes, the smoke tests through node port 32000 on every node; then the
#      project's loadtest through each node's 32000; a second deploy.yml reports changed=0;
#   3. kubectl drain of a worker under load (PodDisruptionBudget): 0 failed (before the node loss, whose unanswered
#      connections linger in node-0's conntrack for 120 s);
#   4. node loss under load: a worker's processes (kubelet, runtime, pods, sshd) killed at once and its link taken
#      down (a power loss) while loadtest runs
#      through node-0's 32000: failed requests and when they happened, time until the endpoints drop its pods, until
#      five replicas are Ready on the other nodes; then the node comes back;
#   5. a retrained model reaches every pod: by Ansible (a new digest), rolled out over the three nodes under load
#      (0 failed: the rolling update), then by the README's manual commands on node-0 (docker build/push of the same
#      tag, imagePullPolicy Always, kubectl rollout restart): every pod's /api/v1/model shows the new model's sha256;
#   6. a containerd without a certs.d directory (node-1 made so): Ansible's other branch, the registry in containerd's
#      configuration file and containerd restarted; the kubelet's own pull refused before and working after, node-1's
#      pods running on through the restart;
#   7. teardown.yml; the lab is taken down whatever happens (trap).
# Every figure is printed as "figure: ..." and collected in $WORK/figures.txt, each phase's time in $WORK/phases.txt.
# Exits non-zero when a check fails.
#
# Usage: scripts/test/test-lab.sh   (as root on Debian 12; CI: .ci/run)
# Env:   ML_APP_LAB_MODEL    the model deployed first (default ../shared/models/mobilenetv2_food11_demo/model.h5)
#        ML_APP_LAB_MODEL2   the "retrained" model (default the project's own demo model, 30 KB, the course's shape:
#                            step 5 proves that a model with another sha256 reaches every pod, which a small one
#                            proves as well as the 58 MB VGG16, whose build and five slow pods took 20 min under load)
#        ML_APP_LAB_WORK     logs and load reports (default /var/tmp/ml-app-lab-test)
#        ML_APP_LAB_KEEP=1   leave the lab up at the end (for a look; scripts/lab/down.sh removes it)
#        ML_APP_LAB_FROM=node-loss|retrain|containerd  on a lab left up with the app deployed: start at that step
#                            (node-loss: the drain, then the node loss)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared
WORK=${ML_APP_LAB_WORK:-/var/tmp/ml-app-lab-test}
MODEL=${ML_APP_LAB_MODEL:-$SHARED/models/mobilenetv2_food11_demo/model.h5}
MODEL2=${ML_APP_LAB_MODEL2:-$ROOT/src/main/resources/models/demo-food11.h5}
INVENTORY=$ROOT/ansible/lab/inventory.ini
REPLICAS=5
START=$SECONDS
FIGURES=$WORK/figures.txt PHASES=$WORK/phases.txt
FROM=${ML_APP_LAB_FROM:-}
# shellcheck source=../lab/lib.sh
source "$ROOT/scripts/lab/lib.sh"
# shellcheck source=../lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
# shellcheck source=../lib/disk.sh
source "$ROOT/scripts/lib/disk.sh"
jdk_use
JAVA=$JAVA_HOME/bin/java
JAR=$ROOT/target/ml-app.jar

log() { printf '== [%ss] %s\n' $((SECONDS - START)) "$*"; }
die() { echo "test-lab: FAILED: $*" >&2; exit 1; }
figure() { echo "figure: $*" | tee -a "$FIGURES"; }
k() { kubectl --kubeconfig "$KCFG" --request-timeout=10s "$@"; }
# from: run the step unless ML_APP_LAB_FROM names a later one
from() { case " $* " in *" ${FROM:-all} "*) FROM=""; return 0 ;; esac; [ -z "$FROM" ]; }

case $FROM in ""|node-loss|retrain|containerd) ;; *) die "ML_APP_LAB_FROM=$FROM: one of node-loss, retrain, containerd" ;; esac
[ "$(id -u)" = 0 ] || die "run it as root (the lab makes namespaces, a bridge and mounts)"
for f in "$MODEL" "$MODEL2"; do [ -f "$f" ] || die "no model $f (ML_APP_LAB_MODEL, ML_APP_LAB_MODEL2)"; done
[ "$(sha256sum <"$MODEL")" != "$(sha256sum <"$MODEL2")" ] || die "ML_APP_LAB_MODEL and ML_APP_LAB_MODEL2 are the same file: the retrained model must have another sha256"
command -v ansible-playbook >/dev/null || die "ansible-playbook is not installed (apt-get install ansible)"
# node-0's Docker (vfs: a full copy of every layer, its build cache kept up to ML_APP_LAB_CACHE_GB, 8) and the workers'
# pulled images: the lab's directory held 7.2 GiB at its peak in a whole run (2026-12-07)
require_free_disk "$LAB_DIR" 15 "the lab" || exit 1
rm -rf "$WORK"; mkdir -p "$WORK"
LOADS=()
cleanup() {
  local rc=$?
  for p in "${LOADS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "$rc" != 0 ] && [ -n "${KCFG:-}" ] && [ -f "$KCFG" ]; then
    { echo "--- pods and recent events (a check failed)"; k get pods -o wide; k get events --sort-by=.lastTimestamp | tail -25; } >&2 2>/dev/null || true
  fi
  if [ "${ML_APP_LAB_KEEP:-0}" = 1 ]; then log "the lab stays up (ML_APP_LAB_KEEP=1)"
  else
    phase_start "down"
    "$ROOT/scripts/lab/down.sh" >"$WORK/down.log" 2>&1 || { echo "test-lab: down.sh failed (see $WORK/down.log)" >&2; rc=1; }
    phase_end "down"
  fi
  [ -s "$PHASES" ] && log "phase times: $(paste -sd';' "$PHASES" | sed 's/;/; /g')"
  [ "$rc" = 0 ] && log "test-lab: all checks passed in $((SECONDS - START)) s" || log "test-lab: FAILED (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT

phase_start() { PHASE_T0=$SECONDS; log "$*"; }
phase_end() { log "  ($1: $((SECONDS - PHASE_T0)) s)"; echo "$1 $((SECONDS - PHASE_T0)) s" >>"$PHASES"; }

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
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
# The model goes into node-0's build context as the course's ml-lb.h5 (the shared files are all model.h5): the README's
# manual commands then replace it (cp ml-lb.h5), where a second .h5 beside Ansible's model.h5 makes the build refuse
playbook() { # NAME ARGS...: ansible-playbook over SSH, log in WORK/NAME.log, the recap echoed
  local name=$1; shift
  (cd "$ROOT/ansible" && ansible-playbook -i "$INVENTORY" -e mlapp_model_file_name=ml-lb.h5 "$@") >"$WORK/$name.log" 2>&1 \
    || { grep -E -A12 'fatal:|FAILED!' "$WORK/$name.log" | head -60 >&2; die "ansible-playbook $* (log $WORK/$name.log)"; }
  sed -n '/PLAY RECAP/,/^$/p' "$WORK/$name.log" | sed 's/^/   /'
}
recap_changed() { sed -n '/PLAY RECAP/,/^$/p' "$WORK/$1.log" | grep -o 'changed=[0-9]*' | awk -F= '{ s += $2 } END { print s + 0 }'; }
slowest_tasks() { # NAME: profile_tasks' three slowest tasks of a playbook run
  grep -E -- '-{4,} [0-9.]+s$' "$WORK/$1.log" | sed -E 's/ -{4,} / /' | head -3 | paste -sd';' | sed 's/;/; /g'
}
if from; then
phase_start "deploy.yml over SSH (laptop -> node-0 -> workers)"
playbook deploy1 deploy.yml -e "mlapp_model_path=$MODEL"
phase_end "first deploy.yml"
figure "deploy over SSH: first deploy.yml $((SECONDS - PHASE_T0)) s ($(grep -c '^changed:' "$WORK/deploy1.log") tasks changed; slowest: $(slowest_tasks deploy1))"
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
most_replicas() { # NODE...: the one of NODEs with the most serving replicas (the first of them on a tie)
  placement | tr ',' '\n' | awk -v nodes=" $* " 'index(nodes, " " $1 " ") && $2 > best { best = $2; node = $1 }
    END { print node ? node : substr(nodes, 2, index(substr(nodes, 2), " ") - 1) }'
}
pods_on() { # NODE: the names of the ml-app pods on NODE
  k get pods -l app=ml-app --field-selector "spec.nodeName=$1" -o jsonpath='{range .items[*]}{.metadata.name} {end}'
}
k get pods -o wide | tee "$WORK/pods-after-deploy.txt" | sed 's/^/   /'
spread=$(placement)
for n in node-0 node-1 node-2; do
  echo "$spread" | grep -q "$n [1-9]" || die "no replica on $n ($spread): the spread constraint did not spread"
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
if from; then
phase_start "loadtest through each node's 32000 (the three at once)"
pids=()
for n in "${LAB_NODES[@]}"; do
  loadtest "spread-$n" "http://$(node_ip "$n"):32000" --path /whoami --requests 150 --concurrency 4 --new-connection \
    --expect-pods "$REPLICAS" --timeout 10s & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
for n in "${LAB_NODES[@]}"; do
  figure "loadtest through $n ($(node_ip "$n"):32000): $(summary "spread-$n")"
  [ "$(json_field "spread-$n" 'r["failed"]')" = 0 ] || die "requests failed through $n"
  [ "$(json_field "spread-$n" 'len([p for p in r.get("pods", []) if p["requests"] > 0])')" = "$REPLICAS" ] \
    || die "not every replica answered through $n"
done
phase_end "loadtest through each node"

phase_start "second deploy.yml: nothing to change"
playbook deploy2 deploy.yml -e "mlapp_model_path=$MODEL"
changed=$(recap_changed deploy2)
figure "second deploy.yml: changed=$changed in $((SECONDS - PHASE_T0)) s (slowest: $(slowest_tasks deploy2))"
[ "$changed" = 0 ] || { grep -B3 '^changed:' "$WORK/deploy2.log" | head -30 >&2; die "the second deploy.yml changed $changed things"; }
phase_end "second deploy.yml"
fi

# ---------------------------------------------------------------- load in the background
# under_load NAME URL: open-loop load of /whoami on new connections, 20 requests/s, in 20 s runs back to back until
# finish_load (a run's report is written when it ends: stopping one midway would lose it)
under_load() {
  local name=$1 url=$2
  rm -f "$WORK/$name".*.json "$WORK/$name.stop"
  (
    i=0
    while [ ! -e "$WORK/$name.stop" ]; do
      i=$((i + 1))
      loadtest "$name.$i" "$url" --path /whoami --rate 20 --concurrency 32 --duration 20s --timeout 5s --new-connection \
        --csv "$WORK/$name.$i.csv" || true # per request: when, which pod, which error
    done
  ) &
  LOAD_PID=$!; LOADS+=("$LOAD_PID")
  sleep 5 # the load runs before the change starts
}
finish_load() { # NAME: 5 s more, then the last run ends; the runs' totals in WORK/NAME.summary (first line: failed)
  local name=$1
  sleep 5
  touch "$WORK/$name.stop"
  wait "$LOAD_PID" || true
  python3 "$ROOT/scripts/lib/load-runs-summary.py" "$WORK" "$name" >"$WORK/$name.summary"
}
load_failed() { head -1 "$WORK/$1.summary"; }
load_summary() { tail -1 "$WORK/$1.summary"; }

if from node-loss; then
# ---------------------------------------------------------------- 3. drain (before the node loss: for up to 120 s after it,
# node-0's conntrack keeps the unanswered connections it sent to the lost pods, and a new connection from a port the
# client used then follows that entry to an address that is gone; seen as No route to host in two drains that
# started 100-115 s after the kill)
# the worker with the most replicas: with two or more, the budget must refuse an eviction (one worker has two or more
# wherever five replicas spread over three nodes)
DRAINED=$(most_replicas node-1 node-2)
phase_start "kubectl drain $DRAINED under load (PodDisruptionBudget maxUnavailable 1)"
under_load drain "http://$(node_ip node-0):32000"
before=$(placement)
t0=$(now)
k drain "$DRAINED" --ignore-daemonsets --delete-emptydir-data --timeout=300s >"$WORK/drain.log" 2>&1 || { cat "$WORK/drain.log" >&2; die "kubectl drain $DRAINED"; }
t_drain=$(since "$t0")
finish_load drain
k uncordon "$DRAINED" >/dev/null
refusals=$(grep -c "would violate the pod's disruption budget" "$WORK/drain.log" || true)
figure "drain: $(load_summary drain), under 20 req/s through node-0:32000 while $DRAINED was drained in ${t_drain} s, the PodDisruptionBudget refusing $refusals evictions (replicas per node before: $before; after: $(placement))"
[ "$(load_failed drain)" = 0 ] || die "requests failed during the drain (each request: $WORK/drain.*.csv)"
# with two or more replicas on the node, kubectl drain asks for all their evictions at once: the budget must refuse
case $before in
  *"$DRAINED "[2-9]*) [ "$refusals" -gt 0 ] || die "the PodDisruptionBudget never refused an eviction: it does not pace the drain" ;;
  *) die "no worker had two replicas to drain ($before): the spread left the budget nothing to refuse" ;;
esac
phase_end "drain"

# ---------------------------------------------------------------- 4. node loss
VICTIM=$(most_replicas node-1 node-2) # after the drain, the other worker
LOSS_S=90 # the load: 10 s before the kill, 80 s after it (the endpoints drop the node's pods 40-50 s after it)
phase_start "node loss: $VICTIM killed while loadtest runs through node-0:32000"
victim_pods=$(pods_on "$VICTIM")
on_victim=$(wc -w <<<"$victim_pods")
[ "$on_victim" -gt 0 ] || die "no replica on $VICTIM to lose ($(placement))"
rm -f "$WORK/node-loss.json"
loadtest node-loss "http://$(node_ip node-0):32000" --path /whoami --rate 20 --concurrency 64 --duration "${LOSS_S}s" \
  --timeout 5s --new-connection --csv "$WORK/node-loss.csv" &
LOAD_PID=$!; LOADS+=("$LOAD_PID")
sleep 10
t_kill=$(now)
node_kill "$VICTIM" || die "could not kill $VICTIM"
ip -n "$(node_netns "$VICTIM")" link set eth0 down # and off the network: a power loss, not a crash of its daemons
log "  $VICTIM killed and off the network ($on_victim replicas on it: $victim_pods)"
t_notready="" t_endpoints="" t_five=""
end=$((SECONDS + 240))
while [ -z "$t_five" ] && [ $SECONDS -lt $end ]; do
  # (a kubectl that timed out on the busy API server answers nothing: that is not an answer)
  ready=$(k get node "$VICTIM" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) || ready=""
  if [ -z "$t_notready" ] && [ -n "$ready" ] && [ "$ready" != True ]; then
    t_notready=$(since "$t_kill"); log "  $VICTIM NotReady ($ready) after ${t_notready} s"
  fi
  ready_nodes=$(k get endpoints ml-app -o jsonpath='{range .subsets[*].addresses[*]}{.nodeName}{"\n"}{end}' 2>/dev/null) || ready_nodes=""
  if [ -z "$t_endpoints" ] && [ -n "$ready_nodes" ] && ! grep -qx "$VICTIM" <<<"$ready_nodes"; then
    t_endpoints=$(since "$t_kill"); log "  endpoints without $VICTIM's pods after ${t_endpoints} s"
  fi
  if [ -n "$t_endpoints" ] && [ "$(ready_off "$VICTIM")" -ge "$REPLICAS" ]; then
    t_five=$(since "$t_kill"); log "  $REPLICAS replicas Ready on the other nodes after ${t_five} s"
  fi
  sleep 1
done
wait "$LOAD_PID" || true
# What node-0's conntrack still holds toward the lost pods' addresses (kube-proxy 1.20 clears removed endpoints'
# entries for UDP only): an unanswered TCP entry lives 120 s, and a new connection from the same client address and
# port follows it to the address that is gone, even with the endpoints updated. Evidence for the drain failures that
# followed a node loss (docs/lab.md); not a check.
conntrack_stale=$(in_node node-0 conntrack -L -p tcp 2>/dev/null | awk -v pfx="src=10.244.$(node_index "$VICTIM")." \
  'index($0, pfx) { n[$4]++; total++ } END { printf "%d", total; for (st in n) printf " %s:%d", st, n[st] }') || conntrack_stale="? (conntrack failed)"
[ -n "$t_five" ] || die "five replicas were not Ready on the remaining nodes within 240 s"
# When the failed requests were sent, from the loadtest's per-request log: the kill is the victim's pods' last
# answer (within one request's latency), the window ends with node-0's kube-proxy rules without them
window=$(python3 - "$WORK/node-loss.csv" "$victim_pods" <<'PY'
import csv, collections, sys
rows = list(csv.DictReader(open(sys.argv[1])))
victims = set(sys.argv[2].split())
answers = [float(r["done_ms"]) for r in rows if r["outcome"] == "ok" and r["pod"] in victims]
kill = max(answers) / 1000 if answers else 10.0 # else: 10 s into the run, when the script killed the node
failed = [r for r in rows if r["outcome"] != "ok"]
if not failed:
    print("no request failed"); sys.exit()
sent = sorted(float(r["sent_ms"]) / 1000 - kill for r in failed)
after = [float(r["sent_ms"]) / 1000 - kill for r in rows if float(r["sent_ms"]) / 1000 > kill]
errors = collections.Counter(r["error"].split(": ", 1)[-1][:40] for r in failed)
print(f"sent {sent[0]:.1f} s to {sent[-1]:.1f} s after the kill ({len(failed)} of the {len(after)} sent after it; "
      + ", ".join(f"{n}x {e}" for e, n in errors.most_common(3)) + ")")
PY
)
figure "node loss: $VICTIM ($on_victim of $REPLICAS replicas) powered off (processes killed, link down) under 20 req/s through node-0:32000: $(summary node-loss | cut -d';' -f1); the failed ones $window; node NotReady after ${t_notready:-?} s, endpoints without its pods after ${t_endpoints} s; $REPLICAS Ready on the other nodes after ${t_five} s (node-monitor-grace-period 40 s, tolerationSeconds 30)"
figure "node loss, conntrack: node-0 held ${conntrack_stale} TCP entries toward $VICTIM's pod addresses $(since "$t_kill") s after the kill (entries by state)"
k get pods -l app=ml-app -o wide | sed 's/^/   /'
phase_end "node loss"
phase_start "$VICTIM comes back"
"$ROOT/scripts/lab/up.sh" --boot "$VICTIM" 2>>"$WORK/up.log" || die "up.sh --boot $VICTIM"
end=$((SECONDS + 120))
until [ "$(pods_json | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["items"] if p["metadata"].get("deletionTimestamp")))')" = 0 ]; do
  [ $SECONDS -lt $end ] || die "$VICTIM's old pods still Terminating 120 s after it came back"; sleep 2
done
figure "node back: $VICTIM Ready and its old pods cleaned up in $((SECONDS - PHASE_T0)) s; replicas per node: $(placement)"
phase_end "node back"
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
manual() { # MODEL ROLLOUT-COMMANDS: the README's commands, as a user types them on node-0 (Kubernetes 1.20: the
  # lab's overlay instead of k8s/)
  scp -q -F "$SSH_CONFIG" "$1" node-0:ml-app/ml-lb.h5
  ssh -F "$SSH_CONFIG" node-0 "set -e; cd ml-app
    export DOCKER_BUILDKIT=0
    docker build -t 10.10.1.1:5000/ml-app:0.1.0 . >/dev/null
    docker push 10.10.1.1:5000/ml-app:0.1.0 >/dev/null
    $2
    kubectl rollout status deployment/ml-app --timeout=900s" >>"$WORK/manual.log" 2>&1 || { cat "$WORK/manual.log" >&2; die "the README's manual commands"; }
}
if from node-loss retrain; then
phase_start "retrained model by Ansible, rolled out over the three nodes under load"
under_load rollout "http://$(node_ip node-1):32000"
t0=$(now)
playbook deploy3 deploy.yml -e "mlapp_model_path=$MODEL2" -e mlapp_deploy_rollout_timeout=900s # five pods, one after another, on a busy machine
t_deploy3=$(since "$t0")
finish_load rollout
figure "rolling update: $(load_summary rollout), under 20 req/s through node-1:32000 while deploy.yml rebuilt the image with the retrained model and rolled it out to all $REPLICAS replicas (${t_deploy3} s, rollout $(grep -E 'Wait for the rollout to finish\. -+ [0-9.]+s' "$WORK/deploy3.log" | grep -oE '[0-9.]+s$' || echo ?)); replicas per node after: $(placement)"
[ "$(load_failed rollout)" = 0 ] || die "requests failed during the rolling update"
check_models "by deploy.yml (new digest)" "$MODEL2"
phase_end "retrained model by Ansible"

phase_start "retrained model by the README's manual commands on node-0"
: >"$WORK/manual.log"
manual "$MODEL" "kubectl apply -k k8s-overlays/lab; kubectl rollout restart deployment/ml-app"
check_models "by the README's docker build/push, kubectl apply -k, rollout restart" "$MODEL"
# Once more, the same tag with another model and only a restart: every node has that tag already, so only
# imagePullPolicy: Always gets the new image onto them
manual "$MODEL2" "kubectl rollout restart deployment/ml-app"
check_models "the same tag pushed again + kubectl rollout restart (imagePullPolicy Always)" "$MODEL2"
phase_end "retrained model by hand"
fi

# ---------------------------------------------------------------- 6. containerd without certs.d: config and restart
# The probe: a pod on node-1 that makes its kubelet pull the pushed image through containerd's CRI (what the
# registry configuration is for), then exits
probe_pod() { # NAME: create it; print Succeeded, or the pull's error once the kubelet reports one
  local name=$1 image i
  image=$(k get deployment ml-app -o jsonpath='{.spec.template.spec.containers[0].image}')
  k delete pod "$name" --ignore-not-found --wait=true >/dev/null
  k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $name, labels: {app: lab-pull-probe}}
spec:
  nodeName: node-1
  restartPolicy: Never
  automountServiceAccountToken: false
  containers:
  - {name: pull, image: "$image", imagePullPolicy: Always, command: [/opt/java/bin/java, -version],
     securityContext: {runAsNonRoot: true, runAsUser: 10001}}
EOF
  for i in $(seq 120); do
    local phase reason
    phase=$(k get pod "$name" -o jsonpath='{.status.phase}')
    reason=$(k get pod "$name" -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')
    case $phase/$reason in
      Succeeded/*) echo Succeeded; return 0 ;;
      */ErrImagePull|*/ImagePullBackOff)
        k get pod "$name" -o jsonpath='{.status.containerStatuses[0].state.waiting.message}' | grep -oE 'http: server gave HTTP response to HTTPS client|[^:]*$' | head -1
        return 0 ;;
    esac
    sleep 1
  done
  echo "neither pulled nor refused in 120 s"
}
containers_on() { # NODE: NAME=CONTAINER-ID/RESTARTS of each serving ml-app pod on NODE (not those of an earlier
  # rollout still Terminating: kubelet 1.20 lingers, and they are gone by the time they are looked at again)
  pods_json | python3 -c 'import json, sys
for p in json.load(sys.stdin)["items"]:
    if p["spec"].get("nodeName") == sys.argv[1] and not p["metadata"].get("deletionTimestamp"):
        c = (p["status"].get("containerStatuses") or [{}])[0]
        print("%s=%s/%s" % (p["metadata"]["name"], c.get("containerID", ""), c.get("restartCount", 0)), end=" ")' "$1"
}
if from node-loss retrain containerd; then
phase_start "containerd without certs.d on node-1: the registry in its config file, containerd restarted"
# node-1 made a containerd whose CRI has no config_path (containerd before 1.5, or a config that never set it),
# trusting nothing: the lab restarts it the way the node's service manager would (/etc/init.d/containerd)
in_node node-1 sed -i '/^ *config_path *=/d' /etc/containerd/config.toml
in_node node-1 rm -rf /etc/containerd/certs.d
in_node node-1 /etc/init.d/containerd restart >>"$WORK/containerd-restart.log" 2>&1 || die "restarting node-1's containerd (log $WORK/containerd-restart.log)"
k wait node/node-1 --for=condition=Ready --timeout=120s >/dev/null || die "node-1 not Ready after the lab restarted its containerd"
refused=$(probe_pod lab-pull-before)
log "  before Ansible: node-1's kubelet pulling the image: $refused"
[ "$refused" = "http: server gave HTTP response to HTTPS client" ] || die "node-1's containerd without registry configuration did not refuse the plain-HTTP registry: $refused"
pid_before=$(lab_pid node-1 containerd)
node1_pods=$(containers_on node-1)
digest=$(k get deployment ml-app -o jsonpath='{.spec.template.spec.containers[0].image}'); digest=${digest##*@}
case $digest in sha256:*) ;; *) digest="" ;; esac
playbook containerd deploy.yml --tags registry ${digest:+-e "mlapp_image_digest=$digest"}
in_node node-1 cat /etc/containerd/config.toml | sed -n '/ml-app registry/,/ml-app registry/p' | tee "$WORK/containerd-mirror.txt" | sed 's/^/   /'
pid_after=$(lab_pid node-1 containerd)
[ -n "$pid_after" ] && [ "$pid_after" != "$pid_before" ] || die "Ansible did not restart node-1's containerd (pid $pid_before, now ${pid_after:-none})"
pulled=$(probe_pod lab-pull-after)
[ "$pulled" = Succeeded ] || die "after Ansible, node-1's kubelet still cannot pull the image: $pulled"
node1_after=$(containers_on node-1)
[ "$node1_after" = "$node1_pods" ] || die "node-1's pods did not run on through the containerd restart: before $node1_pods, after $node1_after"
figure "containerd without certs.d (node-1): before Ansible the kubelet's pull was refused ($refused); deploy.yml --tags registry wrote the mirror into config.toml and restarted containerd (pid $pid_before -> $pid_after), node-1 Ready again; then the kubelet pulled the image; node-1's $(wc -w <<<"$node1_pods") ml-app pods kept their containers ($(recap_changed containerd) changed in $((SECONDS - PHASE_T0)) s)"
k delete pod -l app=lab-pull-probe --wait=false >/dev/null
phase_end "containerd restart"
fi

# ---------------------------------------------------------------- 7. teardown
phase_start "teardown.yml"
playbook teardown teardown.yml
# deleted pods linger as Terminating for a while on kubelet 1.20: wait for them, up to 120 s
end=$((SECONDS + 120))
until left=$(k get deployments,services,pods,poddisruptionbudgets -l app=ml-app -o name 2>/dev/null | grep -c . || true); [ "$left" = 0 ]; do
  [ $SECONDS -lt $end ] || die "teardown left $left objects after 120 s"; sleep 2
done
phase_end "teardown"

# shellcheck shell=bash
# The lab's layout and helpers, sourced by scripts/lab/{up,down}.sh and scripts/test/test-lab.sh (docs/lab.md).
#
# Three nodes on this one machine, each a network namespace (its own address on the lab's switch), a mount namespace
# (its own /etc, /var/lib, /var/log, /run, /home, /tmp) and a UTS namespace (its own hostname):
#   node-0 10.10.1.1  control plane, Docker (kubelet on dockershim), the plain-HTTP registry on :5000
#   node-1 10.10.1.2  containerd (kubelet on CRI)
#   node-2 10.10.1.3  Docker (kubelet on dockershim)
# This machine plays the user's laptop: 10.10.1.254 on the switch.
LAB_DIR=${ML_APP_LAB_DIR:-/var/tmp/ml-app-lab}
LAB_KIT=${ML_APP_LAB_KIT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/k8s}
LAB_NODES=(node-0 node-1 node-2)
LAB_SW=mlapp-lab-sw             # the namespace of the switch (bridge mlapp-lab0)
LAB_BRIDGE=mlapp-lab0
LAB_HOST_IF=mlapp-lab-h         # this machine's leg on the switch
LAB_HOST_IP=10.10.1.254
LAB_NET=10.10.1.0/24
LAB_SERVICE_CIDR=10.97.0.0/24 LAB_API_SERVICE_IP=10.97.0.1
LAB_CLUSTER_CIDR=10.244.0.0/16
LAB_API_PORT=6443
LAB_REGISTRY_PORT=5000
LAB_PAUSE_IMAGE=localhost/mlapp-lab/pause:3.4
LAB_CGROUP=mlapp-lab            # every node's pods under /sys/fs/cgroup/<controller>/mlapp-lab/<node>
LAB_USER=cc                     # the course's SSH user: key login, passwordless sudo
BIN=$LAB_DIR/bin PKI=$LAB_DIR/pki LOGS=$LAB_DIR/logs NSDIR=$LAB_DIR/ns
KCFG=$LAB_DIR/kubeconfig
SSH_KEY=$LAB_DIR/ssh/id_ed25519 SSH_CONFIG=$LAB_DIR/ssh/config

node_index() { echo "${1#node-}"; }
node_ip() { echo "10.10.1.$(( $(node_index "$1") + 1 ))"; }
node_netns() { echo "mlapp-lab-$1"; }
node_dir() { echo "$LAB_DIR/nodes/$1"; }
node_pod_cidr() { echo "10.244.$(node_index "$1").0/24"; }
node_runtime() { case $1 in node-1) echo containerd ;; *) echo docker ;; esac; }

# in_node NODE COMMAND...: run COMMAND inside the node (its network, mount and UTS namespaces)
in_node() {
  local n=$1; shift
  nsenter --net="/run/netns/$(node_netns "$n")" --mount="$NSDIR/$n.mnt" --uts="$NSDIR/$n.uts" -- "$@"
}
lab_kubectl() { kubectl --kubeconfig "$KCFG" --cache-dir "$LAB_DIR/kubectl-cache" --request-timeout=10s "$@"; }

now() { date +%s.%N; }
since() { awk -v t="$(now)" -v a="$1" 'BEGIN { printf "%.1f", t - a }'; }

pid_alive() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# node_pids NODE: every process of the node: those in its network namespace (daemons, sshd and its sessions,
# runtime shims) and those in its cgroup (the containers, which have network namespaces of their own)
node_pids() {
  local n=$1 ino f
  ino=$(stat -L -c %i "/run/netns/$(node_netns "$n")" 2>/dev/null) || ino=""
  if [ -n "$ino" ]; then # one find, not a stat per process: forks are slow on a busy machine
    find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' -lname "net:\\[$ino\\]" 2>/dev/null | cut -d/ -f3
  fi
  for f in $(find "/sys/fs/cgroup/pids/$LAB_CGROUP/$n" -name cgroup.procs 2>/dev/null); do cat "$f"; done
  true
}
# node_kill NODE: SIGKILL everything of the node at once (a power loss), then wait until it is gone
node_kill() {
  local n=$1 pids _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(node_pids "$n" | sort -u)
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null
    sleep 0.3
  done
  pids=$(node_pids "$n" | sort -u)
  for p in $pids; do pid_alive "$p" && { echo "node_kill $n: process $p survived SIGKILL" >&2; return 1; }; done
  return 0
}

# lab_start NODE NAME COMMAND...: a daemon inside the node, detached, its own session, stdin closed,
# log LOGS/NODE/NAME.log, PID in LAB_DIR/run/NODE/NAME.pid
lab_start() {
  local n=$1 name=$2; shift 2
  local pidf=$LAB_DIR/run/$n/$name.pid
  mkdir -p "$LAB_DIR/run/$n" "$LOGS/$n"; rm -f "$pidf"
  setsid nsenter --net="/run/netns/$(node_netns "$n")" --mount="$NSDIR/$n.mnt" --uts="$NSDIR/$n.uts" -- \
    bash -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$LOGS/$n/$name.log" 2>&1 3>&- 9>&- &
  local _; for _ in $(seq 1 100); do [ -s "$pidf" ] && return 0; sleep 0.02; done
  echo "lab: $name on $n did not start" >&2; return 1
}
lab_pid() { cat "$LAB_DIR/run/$1/$2.pid" 2>/dev/null || true; }
lab_alive() { pid_alive "$(lab_pid "$1" "$2")"; }

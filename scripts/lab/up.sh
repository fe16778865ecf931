#!/usr/bin/env bash
# up.sh: start the course's three-node lab on this one machine (docs/lab.md): node-0, node-1, node-2, each with its
# own network, mount and UTS namespace, address (10.10.1.1-3), sshd (user cc, key login, passwordless sudo), container
# runtime, kubelet and kube-proxy; the control plane, metrics-server, Docker and the plain-HTTP registry on node-0.
#
#   scripts/lab/up.sh                  # progress and phase times on stderr; last line on stdout: export KUBECONFIG=...
#   scripts/lab/up.sh --boot node-1    # start a node's daemons again after it was killed (the node-loss test)
#   scripts/lab/down.sh                # takes it all away again
#
# Runs as root on Debian 12 without systemd. Binaries: ../shared/k8s (Kubernetes 1.20.2, pause, metrics-server);
# etcd, containerd, runc, Docker, the CNI plugins, sshd and the registry from Debian. State: ML_APP_LAB_DIR
# (/var/tmp/ml-app-lab). Another Kubernetes on this machine (../shared/k8s/up.sh) is not disturbed: other bridge,
# subnets, cgroups and state, and every port of the lab is inside the nodes' own network namespaces.
# Env: ML_APP_LAB_DIR, ML_APP_LAB_KIT (../shared/k8s), ML_APP_LAB_TIMEOUT (seconds per phase, 180),
#      ML_APP_LAB_SKIP_APT (1: fail when a package is missing), ML_APP_LAB_CACHE_GB (node-0's kept Docker data root
#      is pruned past this size, 8).
set -eEuo pipefail
umask 022
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
TIMEOUT=${ML_APP_LAB_TIMEOUT:-180}
BOOT_ONLY=""
if [ "${1:-}" = --boot ]; then BOOT_ONLY=${2:?--boot NODE}; fi

[ "$(id -u)" = 0 ] || { echo "up.sh: run it as root (it makes namespaces, a bridge and mounts)" >&2; exit 1; }
mkdir -p "$LAB_DIR" "$LOGS"
exec 9>"$LAB_DIR/.lock"
flock 9
exec 3>>"$LOGS/up.log"

T0=$(now) TP=$T0 PHASE=start
say() { printf '%s\n' "$*" >&2; printf '%s %s\n' "$(date '+%F %T')" "$*" >&3; }
phase() { PHASE=$1 TP=$(now); }
done_phase() { say "$(awk -v t="$(now)" -v a="$T0" -v b="$TP" -v p="$PHASE" 'BEGIN { printf "[%6.1fs] %-40s (%.1fs)", t-a, p, t-b }')"; }
die() {
  say "up.sh: FAILED in phase '$PHASE' after $(since "$T0")s: $*"
  if [ -n "${FAIL_LOG:-}" ] && [ -s "$FAIL_LOG" ]; then say "---- last lines of $FAIL_LOG"; tail -n 30 "$FAIL_LOG" >&2; fi
  say "the lab is left as it is for a look; scripts/lab/down.sh removes it"
  exit 1
}
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR
# wait_for NODE NAME WHAT COMMAND...: until COMMAND succeeds; fails early when the daemon NAME on NODE exited
wait_for() {
  local n=$1 name=$2 what=$3; shift 3
  local end=$(( $(date +%s) + TIMEOUT ))
  FAIL_LOG=$LOGS/$n/$name.log
  until "$@" >/dev/null 2>&1; do
    lab_alive "$n" "$name" || die "$name on $n exited while waiting for: $what"
    [ "$(date +%s)" -lt "$end" ] || die "timed out after ${TIMEOUT}s waiting for: $what"
    sleep 0.3
  done
}
SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes"
restore_sysctls() { # kubelet sets these machine-wide when it starts; the lab puts them back once its nodes are Ready
  local k v
  [ -f "$LAB_DIR/sysctl-orig.conf" ] || return 0
  while IFS='=' read -r k v; do
    [ "$(sysctl -n "$k" 2>/dev/null)" = "$v" ] || sysctl -qw "$k=$v" || say "could not put back $k=$v"
  done <"$LAB_DIR/sysctl-orig.conf"
}
node_ready() {
  [ "$(lab_kubectl get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

# ---------------------------------------------------------------- the daemons of one node
# node_docker_root NODE: Docker's data root. node-0's is kept from one lab to the next (LAB_DIR/cache, like a course
# node-0 that has built before: the base-image stand-ins and the build's layer cache); the workers' are new each time.
node_docker_root() { if [ "$1" = node-0 ]; then echo "$LAB_DIR/cache/node-0/docker"; else echo "$(node_dir "$1")/docker"; fi; }
start_runtime() {
  local n=$1 d; d=$(node_dir "$1")
  if [ "$(node_runtime "$n")" = docker ]; then
    # Flags, not daemon.json, for the lab's own settings: daemon.json is the user's (Ansible adds the registry there).
    # overlay2 on the node's state directory (a real file system, not the overlay over /var/lib).
    local try
    for try in 1 2; do
      mkdir -p "$(node_docker_root "$n")"
      lab_start "$n" dockerd dockerd --data-root "$(node_docker_root "$n")" --exec-root /run/docker --pidfile /run/docker.pid \
        -H unix:///run/docker.sock --storage-driver overlay2 --cgroup-parent "/$LAB_CGROUP/$n/docker" \
        --exec-opt native.cgroupdriver=cgroupfs --log-level warn \
        --add-runtime "runc-lab=$BIN/runc-lab" --default-runtime runc-lab
      [ "$n" = node-0 ] && [ "$try" = 1 ] || break
      # a kept data root that Docker cannot open (a lab killed mid-write): node-0 starts from an empty one
      local end=$(( $(date +%s) + 60 ))
      until in_node "$n" docker -H unix:///run/docker.sock version >/dev/null 2>&1; do
        if ! lab_alive "$n" dockerd || [ "$(date +%s)" -ge "$end" ]; then
          say "node-0's Docker did not start on its kept data root: starting it on an empty one"
          kill -9 "$(lab_pid "$n" dockerd)" 2>/dev/null || true; sleep 1
          rm -rf "$(node_docker_root "$n")"; continue 2
        fi
        sleep 0.3
      done
      break
    done
    wait_for "$n" dockerd "docker on $n" in_node "$n" docker -H unix:///run/docker.sock version
    if [ -z "$BOOT_ONLY" ] && [ "$n" = node-0 ]; then fresh_node0_images; fi
    if ! in_node "$n" docker image inspect "$LAB_PAUSE_IMAGE" >/dev/null 2>&1; then
      in_node "$n" docker load -i "$LAB_DIR/pause.tar" >>"$LOGS/$n/dockerd.log" 2>&1
    fi
  else
    lab_start "$n" containerd containerd --config /etc/containerd/config.toml
    wait_for "$n" containerd "containerd on $n" in_node "$n" ctr version
    if ! in_node "$n" ctr -n k8s.io images ls -q | grep -qx "$LAB_PAUSE_IMAGE"; then
      in_node "$n" ctr -n k8s.io images import "$LAB_DIR/pause.tar" >>"$LOGS/$n/containerd.log" 2>&1
    fi
  fi
}
# node-0's Docker as a lab of its own: no containers of an earlier lab, no image of the app (deploy.yml must build
# it), the layers of earlier builds kept as the build cache (rmi --no-prune). The classic builder's cache of a
# multi-stage build is untagged images without children (each stage's last step), which `docker image prune` takes:
# it is pruned only when the kept data root has grown past ML_APP_LAB_CACHE_GB (8).
fresh_node0_images() {
  local refs ref kb
  in_node node-0 sh -c 'ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids' >>"$LOGS/node-0/dockerd.log" 2>&1
  kb=$(du -sk "$(node_docker_root node-0)" 2>/dev/null | cut -f1)
  if [ "${kb:-0}" -gt $(( ${ML_APP_LAB_CACHE_GB:-8} * 1024 * 1024 )) ]; then
    say "node-0's Docker cache holds $((kb / 1024 / 1024)) GB: pruning its untagged images"
    in_node node-0 docker image prune -f >>"$LOGS/node-0/dockerd.log" 2>&1
  fi
  app_refs() { in_node node-0 docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' |
    awk '$1 ~ /^(10\.10\.1\.1|node-0):5000\// { if ($2 != "<none>") print $1 ":" $2; if ($3 != "<none>") print $1 "@" $3 }'; }
  # one at a time: a tag and a digest of the same image go with the first of them
  for ref in $(app_refs); do in_node node-0 docker rmi --no-prune "$ref" >>"$LOGS/node-0/dockerd.log" 2>&1 || true; done
  refs=$(app_refs)
  [ -z "$refs" ] || die "node-0's Docker still has the app's images after docker rmi: $refs"
}
start_kubelet() {
  local n=$1 d ip runtime_flags; d=$(node_dir "$1"); ip=$(node_ip "$1")
  if [ "$(node_runtime "$n")" = docker ]; then
    runtime_flags=(--container-runtime=docker --docker-endpoint=unix:///run/docker.sock
      --network-plugin=cni --cni-bin-dir=/usr/lib/cni --cni-conf-dir=/etc/cni/net.d --cni-cache-dir=/var/lib/cni/cache
      --pod-infra-container-image="$LAB_PAUSE_IMAGE" --image-pull-progress-deadline=5m)
  else
    runtime_flags=(--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock
      --containerd=/run/containerd/containerd.sock)
  fi
  # Allocatable like one of the course's nodes (2 cores, 4 GiB after reservations), whatever this machine has:
  # every kubelet reports the whole machine's capacity.
  local mem_mi reserve_mi
  mem_mi=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
  reserve_mi=$(( mem_mi > 4608 ? mem_mi - 4096 - 256 : 256 ))
  mkdir -p "/sys/fs/cgroup/pids/$LAB_CGROUP/$n"
  lab_start "$n" kubelet "$BIN/kubelet" --kubeconfig="$d/kubelet.kubeconfig" --hostname-override="$n" --node-ip="$ip" \
    "${runtime_flags[@]}" --runtime-request-timeout=5m \
    --root-dir="$d/kubelet" --cert-dir="$d/kubelet/pki" --volume-plugin-dir="$d/kubelet/volume-plugins" \
    --address=0.0.0.0 --port=10250 --healthz-bind-address=127.0.0.1 --healthz-port=10248 --read-only-port=0 \
    --anonymous-auth=false --client-ca-file="$PKI/ca.crt" --authentication-token-webhook --authorization-mode=Webhook \
    --tls-cert-file="$PKI/kubelet-$n.crt" --tls-private-key-file="$PKI/kubelet-$n.key" \
    --cgroup-driver=cgroupfs --cgroups-per-qos=false --enforce-node-allocatable= --cgroup-root="/$LAB_CGROUP/$n" \
    --fail-swap-on=false --kube-reserved=cpu=100m,memory=128Mi --system-reserved="cpu=100m,memory=$((reserve_mi - 128))Mi" \
    '--eviction-hard=memory.available<100Mi,nodefs.available<1%,imagefs.available<1%' \
    --image-gc-high-threshold=100 --image-gc-low-threshold=99 --serialize-image-pulls=false --max-pods=30 \
    --node-status-update-frequency=10s
}
start_kube_proxy() {
  local n=$1
  lab_start "$n" kube-proxy "$BIN/kube-proxy" --kubeconfig="$PKI/admin.kubeconfig" --hostname-override="$n" \
    --bind-address="$(node_ip "$n")" --proxy-mode=iptables --cluster-cidr="$LAB_CLUSTER_CIDR" \
    --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256 \
    --conntrack-max-per-core=0 --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 \
    --profiling=false
  wait_for "$n" kube-proxy "kube-proxy /healthz on $n" in_node "$n" curl -sf http://127.0.0.1:10256/healthz
}
start_sshd() {
  local n=$1
  lab_start "$n" sshd /usr/sbin/sshd -D -e -o "ListenAddress=$(node_ip "$n")" -o PidFile=/run/sshd.pid \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o PermitRootLogin=no -o UseDNS=no
  wait_for "$n" sshd "sshd on $(node_ip "$n"):22" bash -c "exec 3<>/dev/tcp/$(node_ip "$n")/22"
}
node_routes() { # the other nodes' pods through those nodes; the Service range on eth0 so that a connection to a
  # ClusterIP finds a route before kube-proxy's DNAT. No default route: nothing leaves the lab.
  local n=$1 m ns; ns=$(node_netns "$1")
  for m in "${LAB_NODES[@]}"; do
    [ "$m" = "$n" ] || ip -n "$ns" route replace "$(node_pod_cidr "$m")" via "$(node_ip "$m")"
  done
  ip -n "$ns" route replace "$LAB_SERVICE_CIDR" dev eth0
}
boot_node() { # the node's own daemons, in the order a booting machine starts them
  local n=$1
  start_sshd "$n"
  start_runtime "$n"
  start_kubelet "$n"
  start_kube_proxy "$n"
}

# ---------------------------------------------------------------- --boot NODE: a node back after node_kill
if [ -n "$BOOT_ONLY" ]; then
  [ -f "$LAB_DIR/up.done" ] || die "the lab is not up (scripts/lab/up.sh first)"
  [ "$BOOT_ONLY" != node-0 ] || die "--boot is for the workers; node-0 carries the control plane"
  ip -n "$(node_netns "$BOOT_ONLY")" link set eth0 up
  node_routes "$BOOT_ONLY"   # a link that was down lost its routes
  phase "boot $BOOT_ONLY"
  boot_node "$BOOT_ONLY"
  FAIL_LOG=$LOGS/$BOOT_ONLY/kubelet.log
  end=$(( $(date +%s) + TIMEOUT ))
  until node_ready "$BOOT_ONLY"; do
    [ "$(date +%s)" -lt "$end" ] || die "$BOOT_ONLY not Ready after ${TIMEOUT}s"; sleep 0.5
  done
  restore_sysctls
  done_phase
  exit 0
fi

if [ -f "$LAB_DIR/up.done" ] && lab_kubectl get --raw /readyz >/dev/null 2>&1; then
  say "up.sh: the lab in $LAB_DIR is already up"
  echo "export KUBECONFIG=$KCFG"; exit 0
fi
: >"$LOGS/up.log"
if [ -e "$LAB_DIR/run" ] || [ -e "$NSDIR" ] || [ -e "/run/netns/$LAB_SW" ]; then
  say "up.sh: cleaning up after a lab that was not taken down"
  flock -u 9; "$HERE/down.sh" >>"$LOGS/up.log" 2>&1 || true; flock 9
fi
say "up.sh: the three-node lab in $LAB_DIR (log: $LOGS/up.log)"

# ---------------------------------------------------------------- packages
phase "packages"
FAIL_LOG=$LOGS/apt.log
need="openssh-server sudo docker.io containerd runc etcd-server containernetworking-plugins docker-registry iptables
 conntrack curl openssl xz-utils iproute2 procps util-linux python3 rsync jq"
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
command -v kubectl >/dev/null || missing="$missing kubernetes-client"
if [ -n "$missing" ]; then
  [ "${ML_APP_LAB_SKIP_APT:-0}" != 1 ] || die "missing packages:$missing"
  say "installing:$missing"
  own_policy=""   # package scripts must not start Debian's sshd, Docker, containerd, etcd or registry on this machine
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1; fi
  rc=0
  # shellcheck disable=SC2086
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade $missing
  } >>"$LOGS/apt.log" 2>&1 || rc=$?
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || die "apt-get failed"
fi
done_phase

# ---------------------------------------------------------------- binaries (kept by down.sh)
phase "unpack binaries"
FAIL_LOG=""
unpack() { # unpack TARBALL STAMP-NAME DIR-IN-TARBALL
  local stamp; stamp=$(stat -c '%s %Y' "$1")
  [ "$(cat "$BIN/.stamp-$2" 2>/dev/null)" = "$stamp" ] && return 0
  rm -rf "$LAB_DIR/unpack"; mkdir -p "$LAB_DIR/unpack" "$BIN"
  xz -d -T2 -c "$1" | tar -x -C "$LAB_DIR/unpack"
  (cd "$LAB_DIR/unpack/$3" && sha256sum --quiet -c SHA256SUMS) || die "checksums of $1"
  cp -f "$LAB_DIR/unpack/$3"/bin/* "$BIN/"; rm -rf "$LAB_DIR/unpack"
  echo "$stamp" >"$BIN/.stamp-$2"
}
[ -f "$LAB_KIT/kubernetes-1.20.2-linux-amd64.tar.xz" ] || die "no $LAB_KIT/kubernetes-1.20.2-linux-amd64.tar.xz (ML_APP_LAB_KIT)"
unpack "$LAB_KIT/kubernetes-1.20.2-linux-amd64.tar.xz" kubernetes kubernetes
unpack "$LAB_KIT/metrics-server-v0.4.5-linux-amd64.tar.xz" metrics-server metrics-server
done_phase

for k in $SYSCTLS; do v=$(sysctl -n "$k" 2>/dev/null) && printf '%s=%s\n' "$k" "$v"; done >"$LAB_DIR/sysctl-orig.conf"
mkdir -p "$LAB_DIR/run"

# ---------------------------------------------------------------- network
phase "network: switch, 3 nodes, routes"
ip netns add "$LAB_SW"
ip -n "$LAB_SW" link set lo up
ip -n "$LAB_SW" link add "$LAB_BRIDGE" type bridge
ip -n "$LAB_SW" link set "$LAB_BRIDGE" up
ip link add "$LAB_HOST_IF" type veth peer name laptop netns "$LAB_SW"
ip -n "$LAB_SW" link set laptop master "$LAB_BRIDGE" up
ip addr add "$LAB_HOST_IP/24" dev "$LAB_HOST_IF"
ip link set "$LAB_HOST_IF" up
for n in "${LAB_NODES[@]}"; do
  ns=$(node_netns "$n")
  ip netns add "$ns"
  ip -n "$LAB_SW" link add "$n" type veth peer name eth0 netns "$ns"
  ip -n "$LAB_SW" link set "$n" master "$LAB_BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$(node_ip "$n")/24" dev eth0
  ip -n "$ns" link set eth0 up
  node_routes "$n"
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    net.ipv4.conf.all.route_localnet=1
done
done_phase

# ---------------------------------------------------------------- file systems, users, sshd
phase "nodes: namespaces, /etc, user $LAB_USER"
mkdir -p "$NSDIR" "$LAB_DIR/ssh"
mount --bind "$NSDIR" "$NSDIR"; mount --make-private "$NSDIR"
[ -f "$SSH_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C "lab laptop" -f "$SSH_KEY"
: >"$LAB_DIR/ssh/known_hosts"
for n in "${LAB_NODES[@]}"; do
  d=$(node_dir "$n")
  rm -rf "$d"; mkdir -p "$d"/{etc.up,etc.work,varlib.up,varlib.work,log/pods,log/containers,home,tmp,docker,containerd,kubelet}
  chmod 1777 "$d/tmp"
  touch "$NSDIR/$n.mnt" "$NSDIR/$n.uts"
  # /etc and /var/lib: this machine's, with the node's own changes on top (overlays); /run, /var/log, /home, /tmp its
  # own. kubelet 1.20 hard-codes /var/lib/kubelet/device-plugins and /var/log/pods; runtimes, CNI and sshd use /run,
  # /etc/{docker,containerd,cni}, /var/lib/cni: each node has its own.
  nsenter --net="/run/netns/$(node_netns "$n")" unshare --mount="$NSDIR/$n.mnt" --uts="$NSDIR/$n.uts" \
    --propagation private bash -ec '
      d=$1 n=$2
      mount -t overlay overlay -o "lowerdir=/etc,upperdir=$d/etc.up,workdir=$d/etc.work" /etc
      mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$d/varlib.up,workdir=$d/varlib.work" /var/lib
      # the paths another Kubernetes on this machine creates and removes below the overlay (../shared/k8s/down.sh
      # deletes /var/lib/kubelet and /var/lib/cni), which would break the merged directories: here each node has directories of its own
      for v in kubelet cni; do mkdir -p "/var/lib/$v" "$d/varlib-$v"; mount --bind "$d/varlib-$v" "/var/lib/$v"; done
      mount -t tmpfs -o mode=755,size=256m tmpfs /run
      mkdir -p /run/sshd /run/lock; chmod 1777 /run/lock
      mount --bind "$d/log" /var/log
      mount --bind "$d/home" /home
      mount --bind "$d/tmp" /tmp
      hostname "$n"' _ "$d" "$n"
  in_node "$n" bash -ec '
    n=$1 user=$2 key=$3
    echo "$n" >/etc/hostname
    printf "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.10.1.1 node-0\n10.10.1.2 node-1\n10.10.1.3 node-2\n" >/etc/hosts
    rm -f /etc/ssh/ssh_host_*; ssh-keygen -A >/dev/null
    useradd --create-home --shell /bin/bash "$user"
    printf "%s ALL=(ALL) NOPASSWD:ALL\n" "$user" >/etc/sudoers.d/90-lab-$user; chmod 440 /etc/sudoers.d/90-lab-$user
    install -d -m 700 -o "$user" -g "$user" /home/$user/.ssh
    install -m 600 -o "$user" -g "$user" "$key.pub" /home/$user/.ssh/authorized_keys
    if getent group docker >/dev/null; then usermod -aG docker "$user"; fi  # docker without sudo, as on the course nodes
    # no Docker or containerd configuration of the user yet: the registry is not trusted (a fresh cluster)
    rm -rf /etc/docker/daemon.json /etc/containerd/certs.d /etc/cni/net.d; mkdir -p /etc/cni/net.d /etc/containerd' \
    _ "$n" "$LAB_USER" "$SSH_KEY"
  for t in ed25519; do
    printf '%s %s\n' "$(node_ip "$n")" "$(in_node "$n" cat /etc/ssh/ssh_host_${t}_key.pub | cut -d' ' -f1-2)" >>"$LAB_DIR/ssh/known_hosts"
    printf '%s %s\n' "$n" "$(in_node "$n" cat /etc/ssh/ssh_host_${t}_key.pub | cut -d' ' -f1-2)" >>"$LAB_DIR/ssh/known_hosts"
  done
done
cat >"$SSH_CONFIG" <<EOF
# ssh -F $SSH_CONFIG node-0   (the lab's nodes as seen from this machine, the "laptop")
Host node-0 node-1 node-2 10.10.1.*
  User $LAB_USER
  IdentityFile $SSH_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $LAB_DIR/ssh/known_hosts
  StrictHostKeyChecking yes
Host node-0
  HostName 10.10.1.1
Host node-1
  HostName 10.10.1.2
  ProxyJump node-0
Host node-2
  HostName 10.10.1.3
  ProxyJump node-0
EOF
# the workers' known_hosts for a jump through node-0 (ProxyJump resolves node-N on node-0): same keys
for n in "${LAB_NODES[@]}"; do start_sshd "$n"; done
done_phase

# ---------------------------------------------------------------- PKI
phase "pki + kubeconfigs"
FAIL_LOG=$LOGS/pki.log
mkdir -p "$PKI"
(
  set -e; cd "$PKI"; rm -f ./*
  printf '[req]\ndistinguished_name = dn\n[dn]\n' >leaf.cnf
  ca() { openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc -keyout "$1.key" -out "$1.crt" \
           -days 30 -subj "/CN=$2" -sha256; }
  leaf() { # leaf NAME SUBJECT CA EXTENSION...
    local name=$1 subj=$2 ca=$3 e ext=(); shift 3
    for e in basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature,keyEncipherment "$@"; do ext+=(-addext "$e"); done
    openssl req -x509 -new -config leaf.cnf -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc \
      -keyout "$name.key" -out "$name.crt" -CA "$ca.crt" -CAkey "$ca.key" -days 30 -sha256 -subj "$subj" "${ext[@]}"
  }
  ca ca mlapp-lab-ca
  ca front-proxy-ca mlapp-lab-front-proxy-ca
  leaf apiserver /CN=kube-apiserver ca extendedKeyUsage=serverAuth \
    "subjectAltName=DNS:node-0,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.10.1.1,IP:127.0.0.1,IP:$LAB_API_SERVICE_IP"
  leaf admin "/O=system:masters/CN=kubernetes-admin" ca extendedKeyUsage=clientAuth
  leaf front-proxy-client /CN=front-proxy-client front-proxy-ca extendedKeyUsage=clientAuth
  for n in node-0 node-1 node-2; do
    i=${n#node-}
    leaf "kubelet-$n" "/CN=$n" ca extendedKeyUsage=serverAuth "subjectAltName=DNS:$n,IP:10.10.1.$((i + 1))"
    leaf "kubelet-client-$n" "/O=system:nodes/CN=system:node:$n" ca extendedKeyUsage=clientAuth
  done
  leaf metrics-server /CN=metrics-server ca extendedKeyUsage=serverAuth \
    subjectAltName=DNS:metrics-server.kube-system.svc,DNS:localhost,IP:127.0.0.1
  leaf metrics-server-client /CN=system:metrics-server ca extendedKeyUsage=clientAuth
  openssl genrsa -out sa.key 2048; openssl rsa -in sa.key -pubout -out sa.pub
  chmod 600 ./*.key
) >>"$LOGS/pki.log" 2>&1 || die "openssl"
b64() { base64 -w0 <"$1"; }
kubeconfig() { # kubeconfig FILE SERVER CERT KEY
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mlapp-lab
  cluster:
    server: $2
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: user
  user:
    client-certificate-data: $(b64 "$3")
    client-key-data: $(b64 "$4")
contexts:
- name: mlapp-lab
  context: {cluster: mlapp-lab, user: user, namespace: default}
current-context: mlapp-lab
EOF
  chmod 600 "$1.tmp"; mv "$1.tmp" "$1"
}
API=https://10.10.1.1:$LAB_API_PORT
kubeconfig "$KCFG" "$API" "$PKI/admin.crt" "$PKI/admin.key"
kubeconfig "$PKI/admin.kubeconfig" "$API" "$PKI/admin.crt" "$PKI/admin.key"
kubeconfig "$PKI/metrics-server.kubeconfig" "$API" "$PKI/metrics-server-client.crt" "$PKI/metrics-server-client.key"
for n in "${LAB_NODES[@]}"; do
  kubeconfig "$(node_dir "$n")/kubelet.kubeconfig" "$API" "$PKI/kubelet-client-$n.crt" "$PKI/kubelet-client-$n.key"
done
# node-0's user has kubectl set up, as on the course's node-0
in_node node-0 install -d -m 700 -o "$LAB_USER" -g "$LAB_USER" "/home/$LAB_USER/.kube"
in_node node-0 install -m 600 -o "$LAB_USER" -g "$LAB_USER" "$KCFG" "/home/$LAB_USER/.kube/config"
done_phase

# ---------------------------------------------------------------- control plane on node-0, and the registry
phase "node-0: etcd, kube-apiserver"
mkdir -p "$(node_dir node-0)/etcd"; chmod 700 "$(node_dir node-0)/etcd"
lab_start node-0 etcd etcd --name node-0 --data-dir "$(node_dir node-0)/etcd/data" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster node-0=http://127.0.0.1:2380 --initial-cluster-state new \
  --listen-metrics-urls "" --snapshot-count 10000 --log-level warn --logger zap
wait_for node-0 etcd "etcd /health" in_node node-0 curl -sf http://127.0.0.1:2379/health
lab_start node-0 kube-apiserver "$BIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
  --bind-address=0.0.0.0 --advertise-address=10.10.1.1 --secure-port="$LAB_API_PORT" --insecure-port=0 \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
  --kubelet-client-certificate="$PKI/admin.crt" --kubelet-client-key="$PKI/admin.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP,Hostname \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range="$LAB_SERVICE_CIDR" --service-node-port-range=30000-32767 \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true \
  --profiling=false --event-ttl=2h
wait_for node-0 kube-apiserver "kube-apiserver /readyz" lab_kubectl get --raw /readyz
done_phase

phase "node-0: scheduler, registry"
lab_start node-0 kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$PKI/admin.kubeconfig" \
  --authentication-kubeconfig="$PKI/admin.kubeconfig" --authorization-kubeconfig="$PKI/admin.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=10259 --port=0 --leader-elect=false --profiling=false
R=$(node_dir node-0)/registry; mkdir -p "$R/data"
printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 0.0.0.0:%s\n' \
  "$R/data" "$LAB_REGISTRY_PORT" >"$R/config.yml"
lab_start node-0 docker-registry docker-registry serve "$R/config.yml"
wait_for node-0 kube-scheduler "kube-scheduler /healthz" in_node node-0 curl -skf https://127.0.0.1:10259/healthz
wait_for node-0 docker-registry "the registry on node-0:$LAB_REGISTRY_PORT" in_node node-0 curl -sf "http://node-0:$LAB_REGISTRY_PORT/v2/"
done_phase

# ---------------------------------------------------------------- runtimes, CNI, kubelets, kube-proxies
phase "runtimes: Docker on node-0/2, containerd on node-1"
# Docker's runc, with a container's negative oom_score_adj raised to 0: root on this machine lacks CAP_SYS_RESOURCE,
# so runc cannot lower it, and dockershim gives every pod sandbox -998 ("can't get final child's PID from pipe").
# containerd has this built in (restrict_oom_score_adj, below).
cat >"$BIN/runc-lab" <<'RUNC'
#!/bin/sh
bundle="" prev=""
for a in "$@"; do
  case $prev in --bundle|-b) bundle=$a ;; esac
  case $a in --bundle=*) bundle=${a#--bundle=} ;; esac
  prev=$a
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ] && grep -q '"oomScoreAdj":-' "$bundle/config.json"; then
  jq -c '.process.oomScoreAdj = 0' "$bundle/config.json" >"$bundle/config.json.lab" && mv "$bundle/config.json.lab" "$bundle/config.json"
fi
exec /usr/sbin/runc "$@"
RUNC
chmod 755 "$BIN/runc-lab"
P=$LAB_DIR/pause-image; rm -rf "$P"; mkdir -p "$P/rootfs" "$P/archive"
cp "$BIN/pause" "$P/rootfs/pause"
tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$P/rootfs" -cf "$P/archive/layer.tar" pause
diff_id=$(sha256sum "$P/archive/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","config":{"User":"65535:65535","Entrypoint":["/pause"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"mlapp-lab pause.c"}]}' \
  "$diff_id" >"$P/archive/config.json"
cfg=$(sha256sum "$P/archive/config.json" | cut -d' ' -f1); mv "$P/archive/config.json" "$P/archive/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$cfg" "$LAB_PAUSE_IMAGE" >"$P/archive/manifest.json"
tar -C "$P/archive" -cf "$LAB_DIR/pause.tar" manifest.json "$cfg.json" layer.tar
rm -rf "$P"
for n in "${LAB_NODES[@]}"; do
  d=$(node_dir "$n")
  in_node "$n" tee /etc/cni/net.d/10-mlapp-lab.conflist >/dev/null <<EOF
{
  "cniVersion": "0.4.0",
  "name": "mlapp-lab",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$(node_pod_cidr "$n")"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  if [ "$(node_runtime "$n")" = docker ]; then
    # what a course node's Docker has before Ansible: a daemon.json without the registry
    in_node "$n" bash -c 'mkdir -p /etc/docker && printf "{\n  \"log-driver\": \"json-file\",\n  \"log-opts\": {\"max-size\": \"50m\"}\n}\n" >/etc/docker/daemon.json'
  else
    # containerd as Debian and kubespray set it up: registry hosts read from /etc/containerd/certs.d (empty: no
    # registry trusted over plain HTTP yet)
    in_node "$n" tee /etc/containerd/config.toml >/dev/null <<EOF
version = 2
root = "$d/containerd/root"
state = "/run/containerd"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "/run/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$LAB_PAUSE_IMAGE"
  disable_apparmor = true
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "/etc/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
EOF
    # The node's service manager for containerd, as systemd's containerd.service is on a course node: Ansible's
    # service module restarts it (the role's branch for a containerd without certs.d, scripts/test/test-lab.sh step 6).
    # The same daemon, pid file and log as lab_start's.
    in_node "$n" tee /etc/init.d/containerd >/dev/null <<EOF
#!/bin/sh
# containerd of the lab's $n (scripts/lab/up.sh): start, stop, restart, status
pidfile=$LAB_DIR/run/$n/containerd.pid log=$LOGS/$n/containerd.log
running() { pid=\$(cat "\$pidfile" 2>/dev/null) && [ -r "/proc/\$pid/stat" ] && [ "\$(awk '{ print \$3 }' "/proc/\$pid/stat")" != Z ]; }
case "\$1" in
  start)
    running && exit 0
    setsid sh -c 'echo \$\$ >"\$0"; exec containerd --config /etc/containerd/config.toml' "\$pidfile" </dev/null >>"\$log" 2>&1 &
    i=0; until ctr version >/dev/null 2>&1; do i=\$((i + 1)); [ \$i -lt 100 ] || { echo "containerd did not start (\$log)" >&2; exit 1; }; sleep 0.3; done ;;
  stop)
    running || exit 0
    kill "\$pid"; i=0; while running; do i=\$((i + 1)); [ \$i -lt 100 ] || { kill -9 "\$pid"; break; }; sleep 0.1; done ;;
  restart) "\$0" stop && "\$0" start ;;
  status) running || exit 3 ;;
  *) echo "usage: \$0 start|stop|restart|status" >&2; exit 2 ;;
esac
EOF
    in_node "$n" chmod 755 /etc/init.d/containerd
  fi
  start_runtime "$n"
done
done_phase

phase "kubelets + kube-proxies: 3 nodes Ready"
for n in "${LAB_NODES[@]}"; do start_kubelet "$n"; done
for n in "${LAB_NODES[@]}"; do start_kube_proxy "$n"; done
end=$(( $(date +%s) + TIMEOUT ))
for n in "${LAB_NODES[@]}"; do
  FAIL_LOG=$LOGS/$n/kubelet.log
  until node_ready "$n"; do
    lab_alive "$n" kubelet || die "kubelet on $n exited"
    [ "$(date +%s)" -lt "$end" ] || die "$n not Ready after ${TIMEOUT}s"; sleep 0.5
  done
done
restore_sysctls
done_phase

# The controller-manager once the nodes are there: started before them, it sees "all nodes not Ready", enters its
# master disruption mode, and here it then never put the NoExecute taint on a node that was lost later (no pod was
# ever evicted from it); started after them, it evicts after tolerationSeconds (docs/lab.md).
phase "node-0: controller-manager"
# The node lifecycle as on a kubeadm/kubespray cluster: a node is NotReady 40 s after its last status, and its pods
# are evicted after their tolerationSeconds for node.kubernetes.io/unreachable (manifests: docs/lab.md).
lab_start node-0 kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$PKI/admin.kubeconfig" \
  --authentication-kubeconfig="$PKI/admin.kubeconfig" --authorization-kubeconfig="$PKI/admin.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=10257 --port=0 --leader-elect=false \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --use-service-account-credentials=true --node-monitor-period=5s --node-monitor-grace-period=40s --profiling=false
wait_for node-0 kube-controller-manager "kube-controller-manager /healthz" in_node node-0 curl -skf https://127.0.0.1:10257/healthz
done_phase

# ---------------------------------------------------------------- metrics-server on node-0 (kubectl top)
phase "metrics-server: kubectl top nodes"
FAIL_LOG=$LOGS/node-0/metrics-server.log
M=$LAB_DIR/metrics-server; mkdir -p "$M"
cat >"$M/metrics-server.yaml" <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregated-metrics-reader
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true", rbac.authorization.k8s.io/aggregate-to-edit: "true", rbac.authorization.k8s.io/aggregate-to-admin: "true"}
rules:
- {apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: system:metrics-server}
rules:
- {apiGroups: [""], resources: ["pods", "nodes", "nodes/stats", "namespaces", "configmaps"], verbs: ["get", "list", "watch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: system:metrics-server}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:metrics-server}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "metrics-server:system:auth-delegator"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: metrics-server-auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}]
---
# metrics-server is a process on node-0 (127.0.0.1:4443 in node-0's network namespace, where the API server runs)
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec:
  type: ExternalName
  externalName: 127.0.0.1
  ports: [{name: https, port: 4443, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  service: {name: metrics-server, namespace: kube-system, port: 4443}
  group: metrics.k8s.io
  version: v1beta1
  caBundle: $(b64 "$PKI/ca.crt")
  groupPriorityMinimum: 100
  versionPriority: 100
EOF
lab_start node-0 metrics-server "$BIN/metrics-server" --kubeconfig="$PKI/metrics-server.kubeconfig" \
  --authentication-kubeconfig="$PKI/metrics-server.kubeconfig" --authorization-kubeconfig="$PKI/metrics-server.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=4443 \
  --tls-cert-file="$PKI/metrics-server.crt" --tls-private-key-file="$PKI/metrics-server.key" \
  --client-ca-file="$PKI/ca.crt" --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client --authorization-always-allow-paths=/healthz,/livez,/readyz \
  --kubelet-preferred-address-types=InternalIP --kubelet-certificate-authority="$PKI/ca.crt" --metric-resolution=15s
lab_kubectl apply -f "$M/metrics-server.yaml" >>"$LOGS/node-0/metrics-server.log" 2>&1
all_metrics() { local n; for n in "${LAB_NODES[@]}"; do lab_kubectl get --raw "/apis/metrics.k8s.io/v1beta1/nodes/$n" | grep -q '"usage"' || return 1; done; }
wait_for node-0 metrics-server "every node's metrics in the Metrics API" all_metrics
done_phase

phase "default service account"
wait_for node-0 kube-controller-manager "service account default/default" lab_kubectl -n default get serviceaccount default
done_phase

touch "$LAB_DIR/up.done"
trap - ERR
say "$(lab_kubectl get nodes -o wide 2>&1)"
say "up.sh: lab ready in $(since "$T0")s; ssh -F $SSH_CONFIG node-0; logs in $LOGS; stop with scripts/lab/down.sh"
echo "export KUBECONFIG=$KCFG"

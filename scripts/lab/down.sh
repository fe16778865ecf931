#!/usr/bin/env bash
# down.sh: take the three-node lab of scripts/lab/up.sh away and leave the machine as it was. Safe to run twice.
#
#   scripts/lab/down.sh           # keeps ML_APP_LAB_DIR/bin (unpacked binaries), ML_APP_LAB_DIR/logs and
#                                 # ML_APP_LAB_DIR/cache (node-0's Docker: base-image stand-ins, build cache)
#   scripts/lab/down.sh --purge   # removes ML_APP_LAB_DIR entirely
#
# Kills every process of the lab's nodes (found by the nodes' network namespaces and cgroups, never by name),
# unmounts the nodes' file systems, deletes the namespaces, the switch and this machine's leg on it, the nodes' cgroups,
# and puts back the kernel settings the kubelets changed.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
PURGE=0; [ "${1:-}" = --purge ] && PURGE=1
[ "$(id -u)" = 0 ] || { echo "down.sh: run it as root" >&2; exit 1; }
if [ ! -d "$LAB_DIR" ]; then echo "down.sh: nothing in $LAB_DIR"; exit 0; fi
mkdir -p "$LOGS"
exec 9>"$LAB_DIR/.lock"
if ! flock -n 9; then echo "down.sh: waiting for another up.sh/down.sh in $LAB_DIR" >&2; flock 9; fi
T0=$(now)
say() { printf '%s\n' "$*"; printf '%s %s\n' "$(date '+%F %T')" "$*" >>"$LOGS/down.log"; }
say "down.sh: taking the lab in $LAB_DIR down"
rm -f "$LAB_DIR/up.done"

# 1. Every process of every node at once (no graceful pod shutdown: the lab is thrown away).
FAILED=""
for n in "${LAB_NODES[@]}"; do
  [ -e "/run/netns/$(node_netns "$n")" ] || [ -d "/sys/fs/cgroup/pids/$LAB_CGROUP/$n" ] || continue
  if node_kill "$n"; then say "  $n: processes stopped"; else FAILED="$FAILED $n"; fi
done

# 2. Mounts: the nodes' own (pods' volumes, overlays, the runtimes' mounts) live in the nodes' mount namespaces and go
# with them; on this machine there are only the namespace files and whatever a runtime mounted under LAB_DIR.
for _ in 1 2 3; do
  ms=$(awk -v d="$LAB_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
  [ -z "$ms" ] && break
  for m in $ms; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
done

# 3. Network: the nodes' namespaces (with their veths, bridges, iptables rules), the switch, this machine's leg
for n in "${LAB_NODES[@]}"; do
  ns=$(node_netns "$n")
  if [ -e "/run/netns/$ns" ]; then ip netns delete "$ns" && say "  netns $ns deleted"; fi
done
if [ -e "/run/netns/$LAB_SW" ]; then ip netns delete "$LAB_SW" && say "  netns $LAB_SW deleted"; fi
ip link show "$LAB_HOST_IF" >/dev/null 2>&1 && ip link delete "$LAB_HOST_IF" && say "  link $LAB_HOST_IF deleted"

# 4. cgroups of the nodes' pods and of node-0's Docker builds (empty now), deepest first
for c in /sys/fs/cgroup/*/"$LAB_CGROUP"; do
  [ -d "$c" ] || continue
  find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
  [ -d "$c" ] && FAILED="$FAILED cgroup:$c"
done

# 5. Kernel settings the kubelets set machine-wide
if [ -f "$LAB_DIR/sysctl-orig.conf" ]; then
  while IFS='=' read -r k v; do
    [ "$(sysctl -n "$k" 2>/dev/null)" = "$v" ] && continue
    sysctl -qw "$k=$v" && say "  $k back to $v"
  done <"$LAB_DIR/sysctl-orig.conf"
fi

if [ -n "$FAILED" ]; then say "down.sh: could not remove:$FAILED; state kept in $LAB_DIR"; exit 1; fi
rm -rf "${LAB_DIR:?}"/{nodes,ns,pki,run,ssh,metrics-server,unpack,kubeconfig,kubectl-cache,pause.tar,sysctl-orig.conf}
if [ "$PURGE" = 1 ]; then
  cd / && rm -rf "$LAB_DIR" && echo "down.sh: removed $LAB_DIR; done in $(since "$T0")s"
else
  say "down.sh: done in $(since "$T0")s (kept: $BIN, $LOGS, $LAB_DIR/cache: node-0's Docker images and build cache)"
fi

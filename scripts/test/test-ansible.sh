#!/usr/bin/env bash
# Proves the Ansible playbooks on this machine (.ci/run calls it; a developer can too, as root):
#   1. ansible-lint (production profile, offline), ansible-playbook --syntax-check for every playbook, and the
#      roles' variable rules (scripts/dev/ansible-vars.py: one documented default each, role prefixes, declared outputs);
#   2. deploy.yml for real, with this machine as node-0 (ansible/ci/inventory.ini): buildah builds the Dockerfile
#      (local stand-ins for the base images come from scripts/deploy/build-image.sh, since no registry can be pulled from),
#      the image is pushed to a real registry on 127.0.0.1:5000, and the local five-replica cluster (HAProxy on
#      port 32000) runs what was pulled back from it; the smoke tests go through port 32000;
#      the first run ends each role with its verify (--tags all,verify: roles/*/tasks/verify.yml);
#   3. deploy.yml again: it must report changed=0 (nothing rebuilt, pushed or restarted), and so must --check;
#   4. each role alone, its scenario ansible/ci/roles/<role>.yml: the role applied (after the preconditions it needs),
#      its tasks/verify.yml, and that verify once more with one promise broken (a registry that does not answer, a tag
#      never pushed, one replica more than deployed, a pod that answered but was not deployed, reports from one
#      replica more than mlapp_replicas says): each must fail on one of its own checks; mlapp_loadtest's applies the
#      role through loadtest.yml (5 s of load, the reports fetched back);
#   5. lb-demo.yml (hello mode), teardown.yml.
# --role NAME runs only NAME's scenario (with the registry and the base images' stand-ins it needs, then teardown.yml);
# --help lists the roles.
# What CI substitutes for the course's cluster: processes behind HAProxy instead of pods behind kube-proxy, no
# container isolation, no Docker daemon (buildah), a loopback registry. See ansible/README.md.
#
# Env: ML_APP_ANSIBLE_WORK  state kept between runs (default /var/tmp/ml-app-ansible): node-0's project copy,
#                           the base-image stand-ins' cache, logs. The registry's storage is emptied on every run.
#      ML_APP_ANSIBLE_MODEL a Keras file to deploy as the user's model (default: none, the embedded model)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${ML_APP_ANSIBLE_WORK:-/var/tmp/ml-app-ansible}
REGISTRY=127.0.0.1:5000
SHARED=$(cd "$ROOT/.." && pwd)/shared
START=$SECONDS

log() { printf '== [%ss] %s\n' $((SECONDS - START)) "$*"; }
die() { echo "test-ansible: $*" >&2; exit 1; }
# the roles that have a scenario, in the order a deployment runs them (each scenario's preconditions are earlier roles)
ROLES=(mlapp_registry mlapp_image mlapp_deploy mlapp_smoke_test mlapp_loadtest)
usage() {
    cat <<USAGE
Usage: scripts/test/test-ansible.sh [--role NAME]
  (no option)  the whole proof: lint, deploy.yml with each role's verify, idempotence, check mode, every role's
               scenario (mlapp_loadtest's runs loadtest.yml), lb-demo.yml, teardown.yml (as .ci/run runs it)
  --role NAME  only NAME's scenario, ansible/ci/roles/NAME.yml: the role applied alone (after the preconditions it
               needs), its tasks/verify.yml, and that verify failing for a broken promise; then teardown.yml
Roles: ${ROLES[*]}
USAGE
}
ROLE=
case "${1:-}" in
    "") ;;
    -h | --help) usage; exit 0 ;;
    --role)
        ROLE=${2:-}
        [[ " ${ROLES[*]} " == *" $ROLE "* && -f "$ROOT/ansible/ci/roles/$ROLE.yml" ]] \
            || die "--role needs one of: ${ROLES[*]} (got '${ROLE}')"
        (($# == 2)) || die "--role takes one role; see --help" ;;
    *) usage >&2; exit 2 ;;
esac

for tool in ansible-playbook ansible-lint buildah docker-registry haproxy rsync debootstrap curl; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] \
        || die "$tool is not installed (.ci/run installs ansible ansible-lint buildah docker-registry haproxy rsync debootstrap)"
done
mkdir -p "$WORK"

cd "$ROOT/ansible"
if [[ -z "$ROLE" ]]; then
    log "ansible-lint (production profile) and syntax check"
    ansible-lint --offline --nocolor
    for playbook in deploy.yml lb-demo.yml loadtest.yml teardown.yml; do
        ansible-playbook -i inventory.example.ini --syntax-check "$playbook" >/dev/null
        ansible-playbook -i ci/inventory.ini --syntax-check "$playbook" >/dev/null
        echo "syntax ok: $playbook"
    done
    for role in "${ROLES[@]}"; do
        ansible-playbook -i ci/inventory.ini --syntax-check "ci/roles/$role.yml" >/dev/null
    done
    echo "syntax ok: ci/roles/{$(IFS=,; echo "${ROLES[*]}")}.yml"
    python3 "$ROOT/scripts/dev/ansible-vars.py"
else
    ansible-playbook -i ci/inventory.ini --syntax-check "ci/roles/$ROLE.yml" >/dev/null
fi

log "registry on $REGISTRY (loopback only, no auth)"
if curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; then
    die "something already answers on $REGISTRY; stop it first"
fi
rm -rf "$WORK/registry" && mkdir -p "$WORK/registry"
cat >"$WORK/registry.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
CFG
setsid docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
cleanup() {
    if [[ -n "${PLAYBOOK_ARGS:-}" ]]; then
        (cd "$ROOT/ansible" && ansible-playbook "${PLAYBOOK_ARGS[@]}" teardown.yml >"$WORK/teardown-on-exit.log" 2>&1) || true
    fi
    kill "$REGISTRY_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.2; done
curl -fsS -o /dev/null "http://$REGISTRY/v2/" || { cat "$WORK/registry.log" >&2; die "the registry did not start"; }

# every role but mlapp_registry builds the image, or runs what it built
if [[ "$ROLE" != mlapp_registry ]]; then
    log "base image stand-ins and a warm layer cache (scripts/deploy/build-image.sh)"
    ML_APP_IMAGE_CACHE="$WORK/image-cache" "$ROOT/scripts/deploy/build-image.sh" localhost/ml-app:ansible-ci >"$WORK/build-image.log" 2>&1 \
        || { tail -30 "$WORK/build-image.log" >&2; die "scripts/deploy/build-image.sh failed"; }
fi

EXTRA=(-e "mlapp_project_src=$ROOT" -e "mlapp_project_dir=$WORK/node-0/ml-app")
if [[ -n "${ML_APP_ANSIBLE_MODEL:-}" ]]; then
    EXTRA+=(-e "mlapp_model_path=$ML_APP_ANSIBLE_MODEL")
else
    EXTRA+=(-e "mlapp_model_required=false")
fi
if [[ -f "$SHARED/images/food_noodles.jpg" ]]; then
    EXTRA+=(-e "mlapp_smoke_image=$SHARED/images/food_noodles.jpg")
fi
PLAYBOOK_ARGS=(-i ci/inventory.ini "${EXTRA[@]}")
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

run_scenario() { # ROLE: ansible/ci/roles/ROLE.yml, which applies ROLE, verifies it, and sees the verify fail once broken
    local role=$1 started=$SECONDS
    rm -rf "$WORK/role-reports"
    if ! ansible-playbook "${PLAYBOOK_ARGS[@]}" -e "mlapp_loadtest_fetch_dir=$WORK/role-reports" \
        "ci/roles/$role.yml" >"$WORK/role-$role.log" 2>&1; then
        grep -E -A25 'fatal:|FAILED!' "$WORK/role-$role.log" | grep -v -F '...ignoring' | tail -60 >&2
        die "$role's scenario failed (log: $WORK/role-$role.log)"
    fi
    echo "$role alone ($((SECONDS - started)) s): applied, verified, and its verify $(broken_verify_message "$WORK/role-$role.log")"
    if [[ "$role" == mlapp_loadtest ]]; then
        echo "loadtest.yml fetched: $(cd "$WORK"/role-reports/loadtest-* && echo *)"
    fi
}
broken_verify_message() { # LOG: what ansible/ci/tasks/verify-fails.yml said (its continuation lines joined), cut short
    awk '/^TASK \[Check that the verify failed on one of its checks/ { t = 1 } t && /^    msg:/ { m = 1; sub(/^    msg: */, ""); out = $0; next }
        m && /^        / { sub(/^ +/, " "); out = out $0; next } m { print out; exit }' "$1" \
        | sed -e 's/^|- //' -e "s/^'//" -e "s/'\$//" -e "s/''/'/g" -e 's/^[^ ]* verify //' | cut -c1-200
}

if [[ -n "$ROLE" ]]; then
    log "$ROLE alone (ansible/ci/roles/$ROLE.yml)"
    run_scenario "$ROLE"
    log "teardown.yml"
    ansible-playbook "${PLAYBOOK_ARGS[@]}" teardown.yml >"$WORK/teardown.log" 2>&1 \
        || { tail -40 "$WORK/teardown.log" >&2; die "teardown.yml failed"; }
    unset PLAYBOOK_ARGS
    echo "$ROLE: its scenario passed in $((SECONDS - START)) s"
    exit 0
fi

run_deploy() { # NAME [ARGS...]
    local name=$1
    shift
    log "deploy.yml ($name run${*:+: $*})"
    if ! ansible-playbook "${PLAYBOOK_ARGS[@]}" "$@" deploy.yml >"$WORK/deploy-$name.log" 2>&1; then
        grep -E -A25 'fatal:|FAILED!' "$WORK/deploy-$name.log" | head -80 >&2
        die "deploy.yml failed on the $name run (log: $WORK/deploy-$name.log)"
    fi
    grep -E 'All [0-9]+ replicas answered|predicted' "$WORK/deploy-$name.log" | sed 's/^ *msg: *//' || true
    grep -A1 'PLAY RECAP' "$WORK/deploy-$name.log" | tail -1
}

run_deploy first --tags all,verify
for check in "mlapp_registry : Check that podman and buildah are told to trust the registry" \
    "mlapp_image : Check that the pushed image was built from the current inputs" \
    "mlapp_deploy : Check that the local cluster runs the image" "mlapp_smoke_test : Check that a replica the smoke test saw"; do
    grep -A2 -F "TASK [$check" "$WORK/deploy-first.log" | grep -q "^ok:" || die "the first run did not verify: $check"
done
run_deploy second
recap=$(grep -A1 'PLAY RECAP' "$WORK/deploy-second.log" | tail -1)
if ! grep -q 'changed=0 ' <<<"$recap"; then
    grep -B1 -E '^changed:' "$WORK/deploy-second.log" | grep TASK >&2 || true
    die "the second deploy.yml run changed something: $recap"
fi
grep -q 'failed=0 ' <<<"$recap" || die "the second run failed: $recap"
echo "idempotent: the second run reports changed=0"

log "deploy.yml --check (nothing would change)"
ansible-playbook "${PLAYBOOK_ARGS[@]}" --check deploy.yml >"$WORK/deploy-check.log" 2>&1 \
    || { grep -E -A25 'fatal:|FAILED!' "$WORK/deploy-check.log" | head -60 >&2; die "deploy.yml --check failed"; }
recap=$(grep -A1 'PLAY RECAP' "$WORK/deploy-check.log" | tail -1)
grep -q 'changed=0 ' <<<"$recap" || die "deploy.yml --check predicts changes on a deployed system: $recap"
echo "check mode: $recap"

log "each role alone: its scenario (ansible/ci/roles/*.yml), whose verify must also fail once a promise is broken"
for role in "${ROLES[@]}"; do
    run_scenario "$role"
done

log "lb-demo.yml (hello mode: every replica answers /whoami)"
ansible-playbook "${PLAYBOOK_ARGS[@]}" --tags all,verify lb-demo.yml >"$WORK/lb-demo.log" 2>&1 \
    || { grep -E -A25 'fatal:|FAILED!' "$WORK/lb-demo.log" | head -60 >&2; die "lb-demo.yml failed"; }
grep -E 'All [0-9]+ replicas answered' "$WORK/lb-demo.log" | sed 's/^ *msg: *//' || true

log "teardown.yml"
ansible-playbook "${PLAYBOOK_ARGS[@]}" teardown.yml >"$WORK/teardown.log" 2>&1 \
    || { tail -40 "$WORK/teardown.log" >&2; die "teardown.yml failed"; }
if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:32000/healthz" 2>/dev/null; then
    die "port 32000 still answers after teardown.yml"
fi
unset PLAYBOOK_ARGS
echo "ansible playbooks: lint, variables, syntax, deploy with verify, idempotent redeploy, check mode, each role alone (the load test by loadtest.yml) with a verify that fails, lb demo and teardown passed in $((SECONDS - START)) s"

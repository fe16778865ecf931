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
#   4. each role's verify alone against a broken promise (wrong registry, a tag never pushed, one replica too many,
#      a smoke record with one pod, reports claimed for six replicas): each must fail, in that role;
#   5. loadtest.yml for a few seconds (reports fetched back and verified), lb-demo.yml (hello mode), teardown.yml.
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

for tool in ansible-playbook ansible-lint buildah docker-registry haproxy rsync debootstrap curl; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] \
        || die "$tool is not installed (.ci/run installs ansible ansible-lint buildah docker-registry haproxy rsync debootstrap)"
done
mkdir -p "$WORK"

log "ansible-lint (production profile) and syntax check"
cd "$ROOT/ansible"
ansible-lint --offline --nocolor
for playbook in deploy.yml lb-demo.yml loadtest.yml teardown.yml; do
    ansible-playbook -i inventory.example.ini --syntax-check "$playbook" >/dev/null
    ansible-playbook -i ci/inventory.ini --syntax-check "$playbook" >/dev/null
    echo "syntax ok: $playbook"
done
python3 "$ROOT/scripts/dev/ansible-vars.py"

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

log "base image stand-ins and a warm layer cache (scripts/deploy/build-image.sh)"
ML_APP_IMAGE_CACHE="$WORK/image-cache" "$ROOT/scripts/deploy/build-image.sh" localhost/ml-app:ansible-ci >"$WORK/build-image.log" 2>&1 \
    || { tail -30 "$WORK/build-image.log" >&2; die "scripts/deploy/build-image.sh failed"; }

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

log "loadtest.yml (5 s) and its fetched reports (the role's verify checks them)"
rm -rf "$WORK/reports"
ansible-playbook "${PLAYBOOK_ARGS[@]}" --tags all,verify -e mlapp_loadtest_duration=5 -e "mlapp_loadtest_fetch_dir=$WORK/reports" \
    loadtest.yml >"$WORK/loadtest.log" 2>&1 || { tail -40 "$WORK/loadtest.log" >&2; die "loadtest.yml failed"; }
echo "loadtest.yml fetched and verified: $(cd "$WORK"/reports/loadtest-* && echo *)"

log "each role's verify fails when its promise is broken"
# shellcheck source=../lib/verify.sh
source "$ROOT/scripts/lib/verify.sh"
must_fail() { # ROLE PLAYBOOK [ARGS...]: a --tags verify run that must fail, and in ROLE's tasks
    local role=$1 book=$2 message
    shift 2
    if ansible-playbook "${PLAYBOOK_ARGS[@]}" --tags verify "$@" "$book" >"$WORK/verify-$role.log" 2>&1; then
        die "$role's verify passed with $* (log: $WORK/verify-$role.log): it cannot fail"
    fi
    message=$(failed_in_role "$WORK/verify-$role.log" "$role") || { tail -30 "$WORK/verify-$role.log" >&2; die "with $* the wrong role failed"; }
    echo "$role verify fails with $*: $message"
}
manifest_types=application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json
digest=$(curl -fsSI -H "Accept: $manifest_types" "http://$REGISTRY/v2/ml-app/manifests/0.1.0" | tr -d '\r' \
    | sed -n 's/^docker-content-digest: *//Ip')
[[ "$digest" == sha256:* ]] || die "the registry has no digest for ml-app:0.1.0"
must_fail mlapp_registry deploy.yml -e mlapp_registry=127.0.0.1:5999
must_fail mlapp_image deploy.yml -e "mlapp_image_digest=$digest" -e mlapp_tag=0.0.0-never-pushed
must_fail mlapp_deploy deploy.yml -e "mlapp_image_digest=$digest" -e mlapp_replicas=4
# the earlier roles' outputs as the run that deployed set them, so that only the smoke test's record is wrong (and
# the registry's, image's and deploy's verify pass on the way: they fail only for what they check)
must_fail mlapp_smoke_test deploy.yml -e "mlapp_image_digest=$digest" \
    -e '{"mlapp_deploy_pods": ["ml-app-1", "ml-app-2", "ml-app-3", "ml-app-4", "ml-app-5"]}' \
    -e '{"mlapp_smoke_answers": {"pods": {"ml-app-1": 50}, "failures": []}}'
must_fail mlapp_loadtest loadtest.yml -e "mlapp_loadtest_report_dir=$(echo "$WORK"/reports/loadtest-*)" -e mlapp_replicas=6

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
echo "ansible playbooks: lint, variables, syntax, deploy with verify, idempotent redeploy, check mode, verifies that fail, load test, lb demo and teardown passed in $((SECONDS - START)) s"

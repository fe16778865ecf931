# shellcheck shell=bash
# For scripts/test/test-kubernetes.sh, which shows that the deploy role's verify can fail (test-ansible.sh has each
# role's scenario check that itself: ansible/ci/tasks/verify-fails.yml).

# failed_in_role LOG ROLE: succeeds when the first task that failed in LOG (an ansible-playbook log) is one of ROLE's,
# and prints that failure's message (its continuation lines joined, cut to 200 characters).
failed_in_role() {
    local log=$1 role=$2 task
    task=$(awk '/^TASK \[/ { task = $0 } /^fatal:/ { print task; exit }' "$log")
    if [[ "$task" != "TASK [$role : "* ]]; then
        echo "the first failure in $log is in ${task:-no task}, not in $role" >&2
        return 1
    fi
    awk '/^fatal:/ { f = 1 } f && /^    msg:/ { m = 1; sub(/^    msg: */, ""); out = $0; next }
        m && /^        / { sub(/^ +/, " "); out = out $0; next } m { print out; exit }' "$log" \
        | sed -e "s/^|- //" -e "s/^'//" -e "s/'\$//" | cut -c1-200
}

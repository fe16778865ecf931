#!/usr/bin/env python3
"""Usage: autoscaling-report.py DIR

The autoscaling run of scripts/test/test-kubernetes.sh (scripts/lib/autoscaling.sh) as numbers. DIR holds:
  phases.tsv                 name, siege users, siege delay (s), upload rate (1/s), start and end (epoch s), a line each
  siege-PHASE.out/.err       siege's per-request lines (verbose) and its summary (socket failures)
  uploads-PHASE.csv          the project's loadtest per-request log (POST /predict with a photo)
  watch/EPOCH_MS.pods.json   kubectl get pods -l app=ml-app -o json, every few seconds
  watch/EPOCH_MS.hpa.json    kubectl get hpa ml-app -o json, at the same moments
Prints one line per finding ("name: text") and writes DIR/summary.json for the script's checks.
"""
import csv
import datetime
import glob
import json
import os
import re
import sys

SIEGE_LINE = re.compile(r"^HTTP/\d(?:\.\d)? (\d{3})\s+([\d.]+) secs:")
SIEGE_SOCKET_FAILURES = re.compile(r"Failed transactions:\s+(\d+)")


def epoch(timestamp):
    return datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def read_phases(root):
    phases = []
    with open(os.path.join(root, "phases.tsv")) as f:
        for line in f:
            name, users, delay, rate, start, end = line.split()
            phases.append({"name": name, "users": int(users), "delay": float(delay), "rate": float(rate),
                           "start": float(start), "end": float(end)})
    return phases


def siege_requests(root, phase):
    """(status or None for a socket failure, seconds) for every request siege made in the phase."""
    requests = []
    with open(os.path.join(root, f"siege-{phase}.out"), errors="replace") as f:
        for line in f:
            m = SIEGE_LINE.match(line.strip())
            if m:
                requests.append((int(m.group(1)), float(m.group(2))))
    with open(os.path.join(root, f"siege-{phase}.err"), errors="replace") as f:
        m = SIEGE_SOCKET_FAILURES.search(f.read())
    requests += [(None, float("nan"))] * (int(m.group(1)) if m else 0)
    return requests


def upload_requests(root, phase):
    path = os.path.join(root, f"uploads-{phase}.csv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [(row["outcome"], row["status"], float(row["latency_ms"]) / 1000) for row in csv.DictReader(f)]


def read_watch(root):
    """[(time, pods, hpa)] in time order."""
    snapshots = []
    for pods_file in sorted(glob.glob(os.path.join(root, "watch", "*.pods.json"))):
        t = int(os.path.basename(pods_file).split(".")[0]) / 1000
        try:
            pods = json.load(open(pods_file))["items"]
        except (ValueError, KeyError):
            continue  # a kubectl call that timed out
        try:
            hpa = json.load(open(pods_file.replace(".pods.json", ".hpa.json")))
        except (ValueError, OSError):
            hpa = {}
        snapshots.append((t, pods, hpa))
    return snapshots


def ready_since(pod):
    for c in pod.get("status", {}).get("conditions", []):
        if c["type"] == "Ready" and c["status"] == "True":
            return epoch(c["lastTransitionTime"])
    return None


def hpa_utilisation(hpa):
    for m in hpa.get("status", {}).get("currentMetrics") or []:
        current = (m.get("resource") or {}).get("current") or {}
        if "averageUtilization" in current:
            return current["averageUtilization"]
    return None


def main(root):
    phases = read_phases(root)
    load_start, load_end = phases[0]["start"], phases[-1]["end"]
    high = max(phases, key=lambda p: p["users"] / max(p["delay"], 0.1))
    snapshots = read_watch(root)

    # replicas over time: pods Ready and not being deleted; the HPA's wish and its measured utilisation
    timeline = []
    pods_seen = {}
    for t, pods, hpa in snapshots:
        serving = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        ready = sum(1 for p in serving if ready_since(p) is not None)
        desired = hpa.get("status", {}).get("desiredReplicas")
        timeline.append((t, len(serving), ready, desired, hpa_utilisation(hpa)))
        for p in pods:
            seen = pods_seen.setdefault(p["metadata"]["name"], {"created": epoch(p["metadata"]["creationTimestamp"])})
            since = ready_since(p)
            if since is not None and "ready" not in seen:
                seen["ready"] = since
            if p["metadata"].get("deletionTimestamp") and "deleted" not in seen:
                seen["deleted"] = epoch(p["metadata"]["deletionTimestamp"])

    changes = []
    last = None
    for t, serving, ready, desired, util in timeline:
        state = (serving, ready, desired)
        if state != last:
            changes.append(f"+{t - load_start:.0f}s {ready}/{serving}"
                           + (f" (HPA {desired}, {util}%)" if desired is not None else ""))
            last = state
    max_ready = max((row[2] for row in timeline), default=0)
    after = [r for t, _, r, _, _ in timeline if t >= load_end]
    final_ready = after[-1] if after else (timeline[-1][2] if timeline else 0)
    final_serving = timeline[-1][1] if timeline else 0

    new_pods = sorted((s for s in pods_seen.values() if s["created"] >= load_start - 1 and "ready" in s),
                      key=lambda s: s["ready"])
    second_ready = new_pods[0]["ready"] if new_pods else None
    creation_to_ready = [s["ready"] - s["created"] for s in new_pods]

    print("timeline: ready/serving replicas (HPA desired, CPU % of request) from the load's start: "
          + ", ".join(changes))
    failed = total = 0
    per_phase = []
    for p in phases:
        siege = siege_requests(root, p["name"])
        uploads = upload_requests(root, p["name"])
        s_failed = sum(1 for status, _ in siege if status is None or status >= 400)
        u_failed = sum(1 for outcome, _, _ in uploads if outcome.upper() != "OK")
        failed += s_failed + u_failed
        total += len(siege) + len(uploads)
        s_times = [secs for status, secs in siege if status is not None and status < 400]
        u_times = [secs for outcome, _, secs in uploads if outcome.upper() == "OK"]
        replicas = [r for t, _, r, _, _ in timeline if p["start"] <= t <= p["end"]]
        per_phase.append(
            f'{p["name"]} (siege -c {p["users"]} -d {p["delay"]:g}, {p["rate"]:g} uploads/s, '
            f'{p["end"] - p["start"]:.0f} s, replicas {min(replicas, default=0)}-{max(replicas, default=0)}): '
            f'/test {s_failed} failed of {len(siege)}, p50 {percentile(s_times, .5) * 1000:.0f} ms, '
            f'p95 {percentile(s_times, .95) * 1000:.0f} ms; uploads {u_failed} failed of {len(uploads)}, '
            f'p50 {percentile(u_times, .5) * 1000:.0f} ms, p95 {percentile(u_times, .95) * 1000:.0f} ms')
    for line in per_phase:
        print("phase " + line)
    failures = {}
    for p in phases:
        for status, _ in siege_requests(root, p["name"]):
            if status is None or status >= 400:
                key = f"/test {status or 'socket'} in {p['name']}"
                failures[key] = failures.get(key, 0) + 1
        for outcome, status, _ in upload_requests(root, p["name"]):
            if outcome.upper() != "OK":
                key = f"upload {outcome.lower()} {status} in {p['name']}"
                failures[key] = failures.get(key, 0) + 1
    second = (f"second replica Ready {second_ready - load_start:.0f} s after the load began "
              f"({second_ready - high['start']:+.0f} s from the high phase's start)") if second_ready else \
        "no second replica became Ready"
    print(f"summary: {failed} failed of {total} requests over the whole run"
          + (f" ({', '.join(f'{k}: {v}' for k, v in failures.items())})" if failures else "")
          + f"; 1 -> {max_ready} replicas under load, {final_ready} at the end; {second}; "
          + f"new pods from creation to Ready: {', '.join(f'{x:.0f}' for x in creation_to_ready) or '-'} s")
    json.dump({"failed": failed, "requests": total, "max_ready": max_ready, "final_ready": final_ready,
               "final_serving": final_serving, "start_ready": timeline[0][2] if timeline else 0,
               "second_ready_s": None if second_ready is None else second_ready - load_start,
               "creation_to_ready_s": creation_to_ready, "failures": failures},
              open(os.path.join(root, "summary.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1])

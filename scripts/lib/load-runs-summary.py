#!/usr/bin/env python3
"""Totals of back-to-back loadtest runs (the JSON reports DIR/NAME.1.json, DIR/NAME.2.json, ...), as the cluster
tests' under_load/finish_load write them while a change (rollout, drain, eviction) happens.

Usage: load-runs-summary.py DIR NAME
Prints two lines: the number of failed requests, then a one-line summary for a "figure: " line.
"""
import glob
import json
import sys


def main(directory, name):
    reports = [json.load(open(f)) for f in sorted(glob.glob(f"{directory}/{name}.*.json"))]
    if not reports:
        sys.exit(f"load-runs-summary: no loadtest report {directory}/{name}.*.json: the load never ran a whole run")
    failures, pods = {}, {}
    for r in reports:
        for k, v in r.get("failures", {}).items():
            failures[k] = failures.get(k, 0) + v
        for p in r.get("pods", []):
            pods[p["pod"]] = pods.get(p["pod"], 0) + p["requests"]
    failed = sum(r["failed"] for r in reports)
    print(failed)
    print(f'{failed} failed of {sum(r["requests"] for r in reports)} '
          f'({", ".join(f"{k}: {v}" for k, v in failures.items()) or "no failures"}) in {len(reports)} back-to-back '
          f'20 s runs; {sum(1 for v in pods.values() if v)} pods answered (old and new); '
          f'p99 of the runs {max(r["latency_ms"]["p99"] for r in reports):.0f} ms')


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

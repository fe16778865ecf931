#!/usr/bin/env python3
"""Usage: monitor-csv-check.py DIR

Recomputes the course's resource-monitor columns (time,n_replica,cpu_req_core,mem_req_KB,cpu_lim_core,mem_lim_KB,
cpu_use_core,mem_use_KB) from DIR/monitor-pods-{before,after}.json (kubectl get pods -l ... -o json) and
DIR/monitor-metrics-{before,after}.json (the Metrics API's PodMetricsList), taken just before and just after
`monitor --duration 0 --csv DIR/resource_usage.csv`, and compares that one row with them column by column: each
column must equal the recomputation from before or from after (the Metrics API may have scraped in between).
Prints "ok COLUMN=VALUE, ..." or "MISMATCH ..." (exit 1).
"""
import csv
import json
import sys
from decimal import Decimal

SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "n": Decimal("1e-9"), "u": Decimal("1e-6"),
          "m": Decimal("1e-3"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def quantity(s):
    for suffix in sorted(SUFFIX, key=len, reverse=True):
        if s.endswith(suffix):
            return Decimal(s[:-len(suffix)]) * SUFFIX[suffix]
    return Decimal(s)


def columns(work, when):
    pods = json.load(open(f"{work}/monitor-pods-{when}.json"))["items"]
    names = {p["metadata"]["name"] for p in pods}
    c = {"n_replica": len(pods)}
    for col, kind, res, scale in (("cpu_req_core", "requests", "cpu", 1), ("mem_req_KB", "requests", "memory", 1024),
                                  ("cpu_lim_core", "limits", "cpu", 1), ("mem_lim_KB", "limits", "memory", 1024)):
        c[col] = sum(quantity(ct.get("resources", {}).get(kind, {}).get(res, "0")) / scale
                     for p in pods for ct in p["spec"]["containers"])
    usage = [ct["usage"] for m in json.load(open(f"{work}/monitor-metrics-{when}.json"))["items"]
             if m["metadata"]["name"] in names for ct in m["containers"]]
    c["cpu_use_core"] = sum(quantity(u["cpu"]) for u in usage)
    c["mem_use_KB"] = sum(quantity(u["memory"]) / 1024 for u in usage)
    return c


def main(work):
    expected = [columns(work, "before"), columns(work, "after")]
    rows = list(csv.DictReader(open(f"{work}/resource_usage.csv")))
    if len(rows) != 1:
        print(f"MISMATCH resource_usage.csv has {len(rows)} rows, not 1")
        return 1
    row = rows[0]
    bad = [f"{col}: monitor {row[col]}, kubectl {' or '.join(str(e[col]) for e in expected)}"
           for col in expected[0] if all(abs(Decimal(row[col]) - e[col]) > Decimal("1e-6") for e in expected)]
    if bad:
        print("MISMATCH " + "; ".join(bad))
        return 1
    print("ok " + ", ".join(f"{k}={row[k]}" for k in expected[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

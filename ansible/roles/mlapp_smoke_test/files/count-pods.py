#!/usr/bin/env python3
"""Usage: count-pods.py URL REQUESTS TIMEOUT

Sends REQUESTS GETs to URL, each on a new connection so that an L4 balancer picks a pod for every one, and prints
JSON: {"pods": {pod: answers}, "failures": [reason, ...]}. A reply without an X-Pod-Name header is a failure.
"""
import json
import sys
import urllib.error
import urllib.request


def main():
    url, requests, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    pods, failures = {}, []
    for _ in range(requests):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Connection": "close"}),
                                        timeout=timeout) as reply:
                reply.read()
                pod = reply.headers.get("X-Pod-Name")
                if pod:
                    pods[pod] = pods.get(pod, 0) + 1
                else:
                    failures.append("%d without X-Pod-Name" % reply.status)
        except urllib.error.HTTPError as error:
            failures.append("HTTP %d from %s" % (error.code, error.headers.get("X-Pod-Name", "no pod")))
        except OSError as error:
            failures.append(str(getattr(error, "reason", error)))
    json.dump({"pods": pods, "failures": failures}, sys.stdout)


if __name__ == "__main__":
    main()

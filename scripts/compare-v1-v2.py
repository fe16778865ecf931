#!/usr/bin/env python3
"""Latency of the same image through /api/v1/predict and through the Open Inference Protocol's /v2 infer route,
interleaved request by request on one keep-alive connection each, so that a machine whose load changes during the
run (other jobs, CPU throttling) affects all routes alike. Python's standard library only.

    scripts/compare-v1-v2.py http://localhost:5000 MODEL_NAME photo.jpg [ROUNDS]
"""
import base64
import http.client
import json
import statistics
import struct
import sys
import time
import urllib.parse


def main():
    url, model, image_path = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    image = open(image_path, "rb").read()
    target = urllib.parse.urlparse(url)
    infer = f"/v2/models/{model}/infer"
    as_json = json.dumps({"inputs": [{"name": "input", "shape": [1], "datatype": "BYTES",
                                      "data": [base64.b64encode(image).decode()]}]}).encode()
    element = struct.pack("<I", len(image)) + image
    header = json.dumps({"inputs": [{"name": "input", "shape": [1], "datatype": "BYTES",
                                     "parameters": {"binary_data_size": len(element)}}]}).encode()
    tensor = struct.pack("<%df" % (224 * 224 * 3), *([0.5] * (224 * 224 * 3)))
    tensor_header = json.dumps({"inputs": [{"name": "input", "shape": [1, 224, 224, 3], "datatype": "FP32",
                                            "parameters": {"binary_data_size": len(tensor)}}]}).encode()
    routes = {
        "POST /api/v1/predict (raw image body)": ("/api/v1/predict", image, {"Content-Type": "image/jpeg"}),
        "POST /v2/.../infer (BYTES, binary extension)": (infer, header + element, {
            "Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(header))}),
        "POST /v2/.../infer (BYTES, base64 in JSON)": (infer, as_json, {"Content-Type": "application/json"}),
        # not an overhead figure: a tensor skips decoding and resizing (a 224x224x3 model is assumed)
        "POST /v2/.../infer (FP32 tensor, binary)": (infer, tensor_header + tensor, {
            "Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(tensor_header))}),
    }
    connections = {name: http.client.HTTPConnection(target.hostname, target.port) for name in routes}
    times = {name: [] for name in routes}
    for i in range(rounds + 20):  # the first 20 rounds warm up connections and the JIT and are not counted
        for name, (path, body, headers) in routes.items():
            start = time.perf_counter()
            connections[name].request("POST", path, body, headers)
            response = connections[name].getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                sys.exit(f"{name}: HTTP {response.status}")
            if i >= 20:
                times[name].append(elapsed)
    print(f"{rounds} rounds, one request per route per round, sequential (concurrency 1); image {len(image)} bytes")
    for name, values in times.items():
        q = statistics.quantiles(values, n=100)
        print(f"{name:48s} p50 {q[49]:7.2f} ms   p90 {q[89]:7.2f} ms   mean {statistics.fmean(values):7.2f} ms")


if __name__ == "__main__":
    main()

package dev.mlapp.loadtest;

import java.time.Duration;

/**
 * What a load test does. It stops after {@code duration} or after {@code requests} requests, whichever is set.
 *
 * @param host        target host
 * @param port        target port
 * @param request     the request to repeat
 * @param concurrency closed loop: number of workers, each sending its next request when the last one returned;
 *                    open loop: the most requests in flight at once
 * @param duration    how long to send; null when {@code requests} bounds the test
 * @param requests    how many requests to send; 0 when {@code duration} bounds the test
 * @param ratePerSecond open loop when positive: request i is due at i / rate seconds, whether or not the server
 *                    kept up, and its latency counts from then (no coordinated omission); 0 = closed loop
 * @param keepAlive   reuse each worker's TCP connection (until the server closes it) instead of one per request
 * @param timeout     longest a request may take, connect included
 */
public record LoadPlan(String host, int port, RequestTemplate request, int concurrency, Duration duration,
                       long requests, double ratePerSecond, boolean keepAlive, Duration timeout) {

    public LoadPlan {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        if ((duration == null) == (requests <= 0)) {
            throw new IllegalArgumentException("set exactly one of a duration and a number of requests");
        }
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative");
        }
    }

    public boolean openLoop() {
        return ratePerSecond > 0;
    }

    String hostHeader() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

package dev.mlapp.bench;

import dev.mlapp.loadtest.Latencies;
import dev.mlapp.loadtest.LoadGenerator;
import dev.mlapp.loadtest.LoadPlan;
import dev.mlapp.loadtest.LoadRun;
import dev.mlapp.loadtest.Outcome;
import dev.mlapp.loadtest.RequestTemplate;
import dev.mlapp.loadtest.Sample;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Real JPEG uploads over real HTTP, sent by the load tester's {@link LoadGenerator}, two ways. {@link #closedLoop}:
 * {@code concurrency} clients, each sending its next request when the previous answer arrives (what
 * {@code siege -c N} does): throughput and latency at a given concurrency. {@link #openLoop}: requests due on a
 * fixed schedule whatever the server does, latency counted from the due time, so a server that falls behind
 * cannot hide it (no coordinated omission): behaviour under overload.
 */
final class HttpLoad {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Open loop: workers (so requests in flight at most) per request per second, within the bounds below. */
    private static final double OPEN_LOOP_SECONDS_IN_FLIGHT = 1;
    private static final int OPEN_LOOP_MIN_WORKERS = 16;
    private static final int OPEN_LOOP_MAX_WORKERS = 1024;

    /**
     * What one run saw. Latencies of 200 answers and of 503 answers are kept apart.
     *
     * @param clientCpuNanos CPU time the load generator's threads used; -1 when unknown
     */
    record Result(int concurrency, double offeredPerSecond, double seconds, Latencies ok, Latencies rejected,
                  Map<Integer, Long> statuses, long failures, long clientCpuNanos) {

        double okPerSecond() {
            return ok.count() / seconds;
        }

        /** 5xx answers other than 503, plus requests that got no answer at all. */
        long serverErrors() {
            long n = failures;
            for (Map.Entry<Integer, Long> e : statuses.entrySet()) {
                if (e.getKey() >= 500 && e.getKey() != 503) {
                    n += e.getValue();
                }
            }
            return n;
        }
    }

    private final int port;
    private final RequestTemplate request;

    HttpLoad(int port, String path, byte[] jpeg) {
        this.port = port;
        this.request = new RequestTemplate("POST", path, jpeg, "image/jpeg");
    }

    /** Runs for {@code duration}. */
    Result closedLoop(int concurrency, Duration duration) throws InterruptedException {
        return run(plan(concurrency, duration, 0, 0), concurrency, 0);
    }

    /** Runs until {@code requests} were answered. */
    Result closedLoop(int concurrency, long requests) throws InterruptedException {
        return run(plan(concurrency, null, requests, 0), concurrency, 0);
    }

    /** Sends {@code ratePerSecond} requests per second for {@code duration}, then waits for the answers. */
    Result openLoop(double ratePerSecond, Duration duration) throws InterruptedException {
        int workers = (int) Math.clamp((long) Math.ceil(ratePerSecond * OPEN_LOOP_SECONDS_IN_FLIGHT),
                OPEN_LOOP_MIN_WORKERS, OPEN_LOOP_MAX_WORKERS);
        return run(plan(workers, duration, 0, ratePerSecond), 0, ratePerSecond);
    }

    private LoadPlan plan(int workers, Duration duration, long requests, double rate) {
        return new LoadPlan("127.0.0.1", port, request, workers, duration, requests, rate, true, TIMEOUT);
    }

    private static Result run(LoadPlan plan, int concurrency, double offered) throws InterruptedException {
        LoadRun run = LoadGenerator.run(plan);
        Latencies ok = new Latencies();
        Latencies rejected = new Latencies();
        Map<Integer, Long> statuses = new TreeMap<>();
        long failures = 0;
        for (Sample sample : run.samples()) {
            if (sample.outcome() == Outcome.TIMEOUT || sample.outcome() == Outcome.CONNECTION) {
                failures++;
                continue;
            }
            statuses.merge(sample.status(), 1L, Long::sum);
            if (sample.status() == 200) {
                ok.recordNanos(sample.latencyNanos());
            } else if (sample.status() == 503) {
                rejected.recordNanos(sample.latencyNanos());
            }
        }
        return new Result(concurrency, offered, run.elapsedNanos() / 1e9, ok, rejected, statuses, failures,
                run.clientCpuNanos());
    }
}

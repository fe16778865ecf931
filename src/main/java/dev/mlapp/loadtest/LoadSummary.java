package dev.mlapp.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers a load test reports, computed once from a {@link LoadRun}. Latency percentiles are over
 * successful requests; failures are counted by kind instead, since the latency of a refused connection says
 * nothing about the service.
 *
 * @param requests      requests sent
 * @param successes     2xx responses
 * @param failures      failures by kind: {@code status 503}, {@code timeout}, {@code connection}
 * @param elapsedSeconds wall time of the test
 * @param newConnections TCP connections opened
 * @param latency       percentiles of successful requests, in milliseconds
 * @param pods          requests answered per pod (any status), by pod name
 * @param evenness      chi-square test of the per-pod counts against an even split; null with fewer than two pods
 * @param timeline      one entry per second of the test
 */
public record LoadSummary(long requests, long successes, Map<String, Long> failures, double elapsedSeconds,
                          long newConnections, Latency latency, Map<String, Long> pods, ChiSquare evenness,
                          List<Second> timeline) {

    /** Latency percentiles in milliseconds; all zero without a successful request. */
    public record Latency(double min, double mean, double p50, double p90, double p99, double max) {
    }

    /** One second of the test: requests completed in it and the latency of its successes, in milliseconds. */
    public record Second(int second, long requests, long failures, double p50, double p99, double max) {
    }

    /**
     * @param expectedPods pod names known to exist; those that never answered are counted as 0 in the
     *                     evenness test, so a dead replica shows up instead of silently vanishing
     */
    public static LoadSummary of(LoadRun run, List<String> expectedPods) {
        Latencies all = new Latencies();
        Map<String, Long> failures = new LinkedHashMap<>();
        Map<String, Long> pods = new TreeMap<>();
        expectedPods.forEach(pod -> pods.put(pod, 0L));
        Map<Integer, Latencies> perSecond = new TreeMap<>();
        Map<Integer, long[]> perSecondCounts = new TreeMap<>();
        long successes = 0;
        long newConnections = 0;
        for (Sample sample : run.samples()) {
            int second = (int) (sample.doneNanos() / 1_000_000_000L);
            long[] counts = perSecondCounts.computeIfAbsent(second, s -> new long[2]);
            counts[0]++;
            if (sample.newConnection()) {
                newConnections++;
            }
            if (sample.podName() != null) {
                pods.merge(sample.podName(), 1L, Long::sum);
            }
            if (sample.outcome() == Outcome.OK) {
                successes++;
                all.recordNanos(sample.latencyNanos());
                perSecond.computeIfAbsent(second, s -> new Latencies()).recordNanos(sample.latencyNanos());
            } else {
                counts[1]++;
                failures.merge(failureKind(sample), 1L, Long::sum);
            }
        }
        List<Second> timeline = new ArrayList<>();
        perSecondCounts.forEach((second, counts) -> {
            Latencies l = perSecond.get(second);
            timeline.add(new Second(second, counts[0], counts[1], l == null ? 0 : l.percentileMillis(50),
                    l == null ? 0 : l.percentileMillis(99), l == null ? 0 : l.maxMillis()));
        });
        long[] podCounts = pods.values().stream().mapToLong(Long::longValue).toArray();
        ChiSquare evenness = podCounts.length >= 2 && pods.values().stream().mapToLong(Long::longValue).sum() > 0
                ? ChiSquare.evenness(podCounts) : null;
        return new LoadSummary(run.samples().size(), successes, failures, run.elapsedNanos() / 1e9, newConnections,
                latencyOf(all), pods, evenness, timeline);
    }

    public long failed() {
        return requests - successes;
    }

    /** Successful responses per second: a refused connection or an error status is no throughput. */
    public double throughput() {
        return elapsedSeconds > 0 ? successes / elapsedSeconds : 0;
    }

    public double availabilityPercent() {
        return requests == 0 ? 0 : 100.0 * successes / requests;
    }

    /** Share of all pod-attributed responses that this pod served, 0..1. */
    public double share(String pod) {
        long total = pods.values().stream().mapToLong(Long::longValue).sum();
        return total == 0 ? 0 : (double) pods.getOrDefault(pod, 0L) / total;
    }

    static String failureKind(Sample sample) {
        return switch (sample.outcome()) {
            case STATUS -> "status " + sample.status();
            case TIMEOUT -> "timeout";
            case CONNECTION -> "connection";
            case OK -> "ok";
        };
    }

    private static Latency latencyOf(Latencies l) {
        if (l.count() == 0) {
            return new Latency(0, 0, 0, 0, 0, 0);
        }
        return new Latency(l.minMillis(), l.meanMillis(), l.percentileMillis(50), l.percentileMillis(90),
                l.percentileMillis(99), l.maxMillis());
    }
}

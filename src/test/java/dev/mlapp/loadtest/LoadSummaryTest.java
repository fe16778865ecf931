package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadSummaryTest {

    private static final LoadPlan PLAN = new LoadPlan("127.0.0.1", 1, RequestTemplate.get("/"), 1, null, 1000, 0,
            false, Duration.ofSeconds(1));
    private static final long MS = 1_000_000L;

    private static Sample ok(long index, long latencyMs, String pod) {
        return new Sample(index, 0, 0, latencyMs * MS, Outcome.OK, 200, pod, true, null);
    }

    @Test
    void percentilesOfOneToOneThousandMillisecondsAreTheTextbookOnes() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            samples.add(ok(i, i, "p"));
        }
        LoadSummary s = LoadSummary.of(new LoadRun(PLAN, samples, 2_000 * MS), List.of());
        // HdrHistogram with 3 significant digits: values within 0.1 %
        assertEquals(500, s.latency().p50(), 0.5);
        assertEquals(900, s.latency().p90(), 0.9);
        assertEquals(990, s.latency().p99(), 1.0);
        assertEquals(1000, s.latency().max(), 1.0);
        assertEquals(1, s.latency().min(), 0.001);
        assertEquals(500.5, s.latency().mean(), 0.5);
        assertEquals(500, s.throughput(), 1e-9);
    }

    @Test
    void failuresAreCountedByKindAndKeptOutOfTheLatency() {
        List<Sample> samples = List.of(
                ok(0, 10, "a"),
                new Sample(1, 0, 0, 5_000 * MS, Outcome.STATUS, 503, "b", true, null),
                new Sample(2, 0, 0, 5_000 * MS, Outcome.TIMEOUT, 0, null, true, "SocketTimeoutException"),
                new Sample(3, 0, 0, 1 * MS, Outcome.CONNECTION, 0, null, true, "ConnectException"),
                new Sample(4, 0, 0, 1 * MS, Outcome.CONNECTION, 0, null, true, "ConnectException"));
        LoadSummary s = LoadSummary.of(new LoadRun(PLAN, samples, 6_000 * MS), List.of());
        assertEquals(5, s.requests());
        assertEquals(1, s.successes());
        assertEquals(Map.of("status 503", 1L, "timeout", 1L, "connection", 2L), s.failures());
        assertEquals(10, s.latency().max(), 0.01);
        assertEquals(20.0, s.availabilityPercent(), 1e-9);
        assertEquals(1 / 6.0, s.throughput(), 1e-9, "only the one success counts as throughput");
        assertTrue(TextReport.render(PLAN, s).contains("Throughput     0.17 req/s succeeded"),
                TextReport.render(PLAN, s));
    }

    @Test
    void podsAreCountedWithSharesAndSilentPodsCountAsZero() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            samples.add(ok(i, 1, i % 3 == 0 ? "a" : "b"));
        }
        LoadSummary s = LoadSummary.of(new LoadRun(PLAN, samples, 1_000 * MS), List.of("a", "b", "c"));
        assertEquals(Map.of("a", 10L, "b", 20L, "c", 0L), s.pods());
        assertEquals(1 / 3.0, s.share("a"), 1e-12);
        // expected 10 each: 0 + 100/10 + 100/10 = 20, 2 degrees of freedom
        assertEquals(20, s.evenness().statistic(), 1e-9);
        assertEquals(Math.exp(-10), s.evenness().pValue(), 1e-15);
    }

    @Test
    void onePodHasNoEvennessTest() {
        LoadSummary s = LoadSummary.of(new LoadRun(PLAN, List.of(ok(0, 1, "only")), MS), List.of());
        assertNull(s.evenness());
    }

    @Test
    void timelineBucketsBySecondOfCompletion() {
        List<Sample> samples = List.of(
                new Sample(0, 0, 0, 500 * MS, Outcome.OK, 200, "a", true, null),
                new Sample(1, 900 * MS, 900 * MS, 1_200 * MS, Outcome.OK, 200, "a", true, null),
                new Sample(2, 1_000 * MS, 1_000 * MS, 1_500 * MS, Outcome.STATUS, 500, "a", true, null));
        LoadSummary s = LoadSummary.of(new LoadRun(PLAN, samples, 1_500 * MS), List.of());
        assertEquals(2, s.timeline().size());
        assertEquals(new LoadSummary.Second(0, 1, 0, 500, 500, 500), roundTo(s.timeline().get(0)));
        assertEquals(new LoadSummary.Second(1, 2, 1, 300, 300, 300), roundTo(s.timeline().get(1)));
    }

    private static LoadSummary.Second roundTo(LoadSummary.Second s) {
        return new LoadSummary.Second(s.second(), s.requests(), s.failures(), Math.round(s.p50()),
                Math.round(s.p99()), Math.round(s.max()));
    }
}

package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Calibration on the real embedded model, real TensorFlow, and the process's real peak memory. */
class CalibrationTest {

    private static final int WORKERS = 2;
    private static final EngineOptions ENGINE = EngineOptions.forCores(WORKERS).withBatching(8, 2000);

    @Test
    void theChosenBatchFitsAndRunningItOnEveryWorkerStaysWithinTheExpectedPeak() throws Exception {
        assumeTrue(ResidentMemory.resetPeak(), "needs a writable /proc/self/clear_refs (Linux) to read peaks");
        try (Model model = ModelLoader.load(null, ENGINE.sessionOptions())) {
            float[] item = new float[model.info().inputItemSize()];
            Arrays.fill(item, 0.5f);
            Calibration.Result free = Calibration.run(model, item, ENGINE, Duration.ofSeconds(1),
                    OptionalLong.empty());
            int largest = free.points().get(free.points().size() - 1).batchSize();
            MemoryBudget measured = free.memory();

            // A limit whose allowance sits just under what the largest measured batch needs on every worker:
            // the batch chosen under it must be smaller, and must fit.
            long limit = (long) ((measured.expectedPeak(largest, WORKERS) - 1) / MemoryBudget.MAX_FRACTION);
            MemoryBudget tight = Calibration.budget(OptionalLong.of(limit), measured.residentBytes(),
                    free.points());
            int chosen = tight.largestBatch(largest, WORKERS);
            if (largest > 1) {
                assertTrue(chosen < largest, "batch " + largest + " is over the allowance, " + chosen + " chosen");
            }

            // Now run what the budget allows on every worker at once and read the real peak: an estimate that
            // is too low (a batch that would not fit the pod) fails here. 10 % + 16 MiB for the heap's noise.
            ResidentMemory.resetPeak();
            runConcurrently(model, item, largest, WORKERS);
            long peak = ResidentMemory.peak();
            long expected = measured.expectedPeak(largest, WORKERS);
            assertTrue(peak <= expected * 1.10 + (16L << 20), "real peak " + (peak >> 20) + " MiB with "
                    + WORKERS + " × batch " + largest + ", expected at most " + (expected >> 20) + " MiB: "
                    + measured.describe(largest, WORKERS));
        }
    }

    @Test
    void theQueueHoldsNoMoreThanTheModelFinishesWithinTheDeadline() {
        EngineOptions options = ENGINE.withQueue(64, Duration.ofSeconds(10));
        // VGG16-like: 4.5 items/s × 10 s = 45 requests can finish before their deadline.
        assertEquals(45, Calibration.queueCapacity(options, 2, 4.5));
        // A fast model keeps the configured capacity.
        assertEquals(64, Calibration.queueCapacity(options, 8, 900));
        // Never so small that the workers' batches cannot fill.
        assertEquals(8, Calibration.queueCapacity(options, 2, 0.2));
    }

    @Test
    void aSmallerBatchWithinTheTieWins() {
        List<Calibration.Point> points = List.of(new Calibration.Point(1, 10.0, 0),
                new Calibration.Point(2, 9.9, 0), new Calibration.Point(4, 6.0, 0));
        assertEquals(4, Calibration.fastest(points).batchSize());
        List<Calibration.Point> close = List.of(new Calibration.Point(1, 10.0, 0), new Calibration.Point(2, 9.9, 0));
        assertEquals(1, Calibration.fastest(close).batchSize());
        // 11 % faster is within a busy node's noise: not clearly faster
        List<Calibration.Point> noisy = List.of(new Calibration.Point(1, 10.0, 0), new Calibration.Point(2, 9.0, 0),
                new Calibration.Point(4, 8.8, 0));
        assertEquals(1, Calibration.fastest(noisy).batchSize());
        // 8 is 12 % faster than 4, 4 is twice as fast as 2: 4 is chosen
        List<Calibration.Point> larger = List.of(new Calibration.Point(1, 10.0, 0), new Calibration.Point(2, 8.0, 0),
                new Calibration.Point(4, 4.0, 0), new Calibration.Point(8, 3.57, 0));
        assertEquals(4, Calibration.fastest(larger).batchSize());
    }

    /**
     * Five replicas of one model starting together on one node measure it with different noise; with batch sizes
     * that differ less than the noise they must still choose the same. Here each size is 4-5 % faster per item than
     * the one before, and every run is up to 8 % off, at random, differently per replica.
     */
    @Test
    void replicasMeasuringWithDifferentNoiseChooseTheSameBatchSize() throws Exception {
        EngineOptions upTo4 = ENGINE.withBatching(4, 2000);
        List<java.util.concurrent.Future<Calibration.Result>> replicas = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(5)) {
            for (int replica = 0; replica < 5; replica++) {
                long seed = replica;
                replicas.add(pool.submit(() -> {
                    try (PacedModel model = new PacedModel(Map.of(1, 15.0, 2, 14.3, 4, 13.7), 0, 0.08, seed)) {
                        return Calibration.run(model, EchoModel.item(1), upTo4, Duration.ofSeconds(2),
                                OptionalLong.empty(), model::now);
                    }
                }));
            }
            java.util.Set<Integer> chosen = new java.util.TreeSet<>();
            List<String> lines = new ArrayList<>();
            for (var replica : replicas) {
                chosen.add(replica.get().maxBatchSize());
                lines.add(replica.get().describe(WORKERS));
            }
            assertEquals(java.util.Set.of(1), chosen, "the smallest batch within the tie, on every replica: " + lines);
        }
    }

    /** Every run longer than the budget (a VGG16 on a busy node): no timed run, batch 1, within the budget. */
    @Test
    void aBudgetTooSmallForOneTimedRunIsNotOverrun() {
        try (PacedModel model = new PacedModel(Map.of(1, 300.0, 2, 290.0, 4, 280.0, 8, 270.0), 200, 0, 0)) {
            Calibration.Result result = Calibration.run(model, EchoModel.item(1), ENGINE, Duration.ofMillis(200),
                    OptionalLong.empty(), model::now);
            assertTrue(result.millis() <= 200, "calibration took " + result.millis() + " ms of a 200 ms budget");
            assertTrue(result.firstRunsMillis() >= 800, "the two first runs, reported apart: "
                    + result.firstRunsMillis());
            assertEquals(1, result.maxBatchSize());
            assertEquals(1, model.runsOf(2) + model.runsOf(4) + model.runsOf(8) + 1, "no other size was run");
            assertTrue(result.describe(WORKERS).contains("the budget allowed no timed run"), result.describe(WORKERS));
        }
    }

    /** A model that gains from batching: the budget stops the measurement, and what it measured is used. */
    @Test
    void theBudgetStopsTheMeasurementWhenItIsSpent() {
        // 40 ms per run plus 10 ms per item, and each size's first run 100 ms slower
        try (PacedModel model = new PacedModel(Map.of(1, 50.0, 2, 30.0, 4, 20.0, 8, 15.0), 100, 0, 0)) {
            Calibration.Result result = Calibration.run(model, EchoModel.item(1), ENGINE, Duration.ofMillis(2000),
                    OptionalLong.empty(), model::now);
            double longestRun = 100 + 2 * 8 * 15.0; // a first run of batch 8 on both workers
            assertTrue(result.millis() <= 2000 + longestRun, "calibration took " + result.millis()
                    + " ms of a 2000 ms budget");
            assertTrue(result.points().size() >= 2, "the budget leaves room for more than batch 1: "
                    + result.points());
            int largestMeasured = result.points().get(result.points().size() - 1).batchSize();
            assertTrue(result.maxBatchSize() <= largestMeasured, result.describe(WORKERS));
            for (int size = 2; size <= result.maxBatchSize(); size++) {
                assertTrue(model.runsOf(size) > 0, "batch " + size + " ran before serving");
            }
        }
    }

    /**
     * Real TensorFlow (the echo graph) behind a fixed pace, kept on a clock of its own (a sleeping fake would measure
     * the test machine's scheduling as much as its pace): a run of n items moves the clock by n × its size's
     * milliseconds per item, the first run of each size by {@code firstRunExtraMillis} more (TensorFlow preparing a
     * new shape), each run up to {@code noise} slower or faster, from a random sequence seeded per replica. Runs on
     * several workers at once add up, as runs sharing one CPU do.
     */
    static final class PacedModel extends dev.mlapp.testing.ForwardingModel {
        private final Map<Integer, Double> millisPerItem;
        private final double firstRunExtraMillis;
        private final double noise;
        private final java.util.Random random;
        private final Map<Integer, Integer> runs = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();

        PacedModel(Map<Integer, Double> millisPerItem, double firstRunExtraMillis, double noise, long seed) {
            super(new EchoModel());
            this.millisPerItem = millisPerItem;
            this.firstRunExtraMillis = firstRunExtraMillis;
            this.noise = noise;
            this.random = new java.util.Random(seed);
        }

        long now() {
            return clock.get();
        }

        int runsOf(int size) {
            return runs.getOrDefault(size, 0);
        }

        @Override
        public dev.mlapp.model.FloatArray predictItems(List<float[]> items) {
            int n = items.size();
            int before = runs.merge(n, 1, Integer::sum) - 1;
            double perItem = millisPerItem.getOrDefault(n, millisPerItem.entrySet().stream()
                    .filter(e -> e.getKey() <= n).max(Map.Entry.comparingByKey()).orElseThrow().getValue());
            double millis = n * perItem * (1 + noise * (2 * nextRandom() - 1)) + (before == 0 ? firstRunExtraMillis : 0);
            dev.mlapp.model.FloatArray output = super.predictItems(items);
            clock.addAndGet((long) (millis * 1e6));
            return output;
        }

        private synchronized double nextRandom() {
            return random.nextDouble();
        }
    }

    private static void runConcurrently(Model model, float[] item, int batch, int workers) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < workers; w++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        model.predictItems(Collections.nCopies(batch, item));
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> "model runs failed: " + failures);
    }
}

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
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Calibration on the real embedded model, real TensorFlow, and the process's real peak memory. */
class CalibrationTest {

    private static final int WORKERS = 2;
    private static final EngineOptions ENGINE = EngineOptions.forCores(2).withWorkers(WORKERS).withBatching(8, 2000);

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

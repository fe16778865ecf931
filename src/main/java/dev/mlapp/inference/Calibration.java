package dev.mlapp.inference;

import dev.mlapp.model.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * What this model wants on this machine, measured at warm-up, before the engine exists: the model is run on the
 * sample picture at batch sizes 1, 2, 4, … up to the configured maximum, timing each and reading the process's
 * peak memory, while doubling gains at least {@link #WORTH_DOUBLING} and the next size, with the sizes between it and
 * the last, fits in what is left of the time budget. The budget holds: it starts after the model's first two runs
 * (which any warm-up pays for, calibrating or not, and which are reported apart), and no run starts once it is spent;
 * when even one timed run of batch 1 does not fit, batch 1's figure is the model's second run. From that:
 * <ul>
 *   <li>the <b>max batch size</b>: the measured size with the most items per second, unless a smaller one is within
 *       {@link #TIE} of it: the smallest such size wins, so replicas measuring on a busy node, whose figures differ
 *       by noise, choose alike, and items wait for fewer others; then lowered until {@link MemoryBudget} says the
 *       workers' batches fit the container's memory limit;</li>
 *   <li>the <b>queue capacity</b>: no more requests admitted than the model can finish within the request deadline
 *       at that rate, so a refusal comes at once instead of after the deadline;</li>
 *   <li>every batch size up to the chosen maximum has run once, so no request after ready pays for TensorFlow's
 *       first run of a new shape.</li>
 * </ul>
 * The number of TensorFlow threads is not calibrated: TensorFlow sizes its pools once per process, with the first
 * session, so another count cannot be tried without a restart.
 */
public final class Calibration {

    /** Stop doubling the batch when it gained less than this. */
    static final double WORTH_DOUBLING = 1.05;
    /**
     * A smaller batch within this of the best throughput is preferred: a larger one must be clearly faster, beyond
     * the noise between two measurements on a busy node (runs of the demo model there differ by up to ~10 %). Five
     * replicas starting at once on one node differ by far more (2-14x in wall time, BENCHMARKS.md "Calibration over
     * five concurrent starts"), and there it does not make them agree.
     */
    static final double TIE = 1.15;
    /** Timed runs are repeated while they add up to less than this (up to {@link #MAX_TIMED_RUNS}); the fastest is kept. */
    private static final long SHORT_RUN_NANOS = 100_000_000L;
    private static final int MAX_TIMED_RUNS = 5;

    /**
     * One measured batch size: time per item with every worker running one, and the peak over the resident memory
     * while they ran, per worker (-1: unknown).
     */
    public record Point(int batchSize, double millisPerItem, long peakExtraBytes, long slowestRunNanos) {
        public Point(int batchSize, double millisPerItem, long peakExtraBytes) {
            this(batchSize, millisPerItem, peakExtraBytes, (long) (millisPerItem * batchSize * 1e6));
        }

        double itemsPerSecond() {
            return 1000 / millisPerItem;
        }
    }

    /**
     * The outcome: what was measured and what the engine will use.
     *
     * @param millis           calibration's own time, within {@code budgetMillis} but for the run in progress
     * @param firstRunsMillis  the model's first two runs before it, which any warm-up pays for
     */
    public record Result(List<Point> points, int fastestBatch, int maxBatchSize, int queueCapacity,
                         MemoryBudget memory, double millis, double budgetMillis, double firstRunsMillis,
                         String memoryNote) {

        /** One line for the log. */
        public String describe(int workers) {
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                    "calibrated in %.0f ms of a %.0f ms budget (after the model's first runs, %.0f ms, which any "
                            + "warm-up pays): ms per item by batch size", millis, budgetMillis, firstRunsMillis));
            for (Point p : points) {
                text.append(String.format(Locale.ROOT, " %d:%.2f", p.batchSize(), p.millisPerItem()));
            }
            text.append(String.format(Locale.ROOT, "; max batch size %d%s, queue capacity %d; memory: %s",
                    maxBatchSize, maxBatchSize < fastestBatch ? " (fastest " + fastestBatch + ", lowered to fit "
                            + "the memory limit)" : "", queueCapacity, memoryNote != null ? memoryNote
                            : memory.describe(maxBatchSize, workers)));
            return text.toString();
        }

        /** For {@code /api/v1/model}. */
        public Map<String, Object> toMap(int workers) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("max_batch_size", maxBatchSize);
            map.put("fastest_batch_size", fastestBatch);
            map.put("queue_capacity", queueCapacity);
            map.put("workers", workers);
            List<Map<String, Object>> measured = new ArrayList<>();
            for (Point p : points) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("batch_size", p.batchSize());
                m.put("ms_per_item", Math.round(p.millisPerItem() * 1000) / 1000.0);
                m.put("peak_extra_mib", p.peakExtraBytes() < 0 ? null
                        : Math.round(p.peakExtraBytes() / 1048576.0 * 10) / 10.0);
                measured.add(m);
            }
            map.put("measured", measured);
            map.put("memory", memoryNote != null ? memoryNote : memory.describe(maxBatchSize, workers));
            map.put("memory_limit_bytes", memory.limitBytes().isPresent() ? memory.limitBytes().getAsLong() : null);
            map.put("calibration_ms", Math.round(millis));
            map.put("budget_ms", Math.round(budgetMillis));
            map.put("first_runs_ms", Math.round(firstRunsMillis));
            return map;
        }
    }

    private Calibration() {
    }

    /**
     * @param item         one preprocessed input (the sample picture)
     * @param options      the configured engine: its max batch size is the ceiling, its workers and deadline used
     * @param budget       time to spend measuring; batch 1 is always measured, larger sizes while time remains
     * @param memoryLimit  the container's limit ({@link MemoryLimit#detect()})
     */
    public static Result run(Model model, float[] item, EngineOptions options, Duration budget,
                             OptionalLong memoryLimit) {
        return run(model, item, options, budget, memoryLimit, System::nanoTime);
    }

    /** @param clock what time is measured with: {@link System#nanoTime}, or a test's model's own pace */
    static Result run(Model model, float[] item, EngineOptions options, Duration budget, OptionalLong memoryLimit,
                      LongSupplier clock) {
        // The model's first runs ever pay for graph optimisation (MobileNetV2: 1.7 s) and keep what they set up
        // (weights reordered for oneDNN: VGG16 ~650 MB): any warm-up pays for them, and the memory they keep is
        // resident from then on, so both the budget and the resident figure start after them.
        // The second run is on every worker at once, as the timed runs are: the first such run in a process is
        // slower too (new threads, TensorFlow's per-thread set-up), and timing it would favour larger batches.
        long first = clock.getAsLong();
        List<float[]> one = Collections.singletonList(item);
        model.predictItems(one);
        long second = clock.getAsLong();
        runAtOnce(model, one, options.workers());
        long start = clock.getAsLong();
        double firstRunsMillis = (start - first) / 1e6;
        long secondRun = start - second;
        long resident = ResidentMemory.current();
        boolean peaksKnown = resident > 0 && ResidentMemory.resetPeak();
        Deadline deadline = new Deadline(start + budget.toNanos(), clock);
        List<Point> points = new ArrayList<>();
        boolean timed = deadline.allows(secondRun);
        if (timed) {
            points.add(measure(model, item, 1, options.workers(), resident, peaksKnown, deadline, clock));
        } else {
            points.add(new Point(1, secondRun / 1e6 / options.workers(), -1, secondRun));
        }
        for (int batch = 2; batch <= options.maxBatchSize() && deadline.allows(nextCost(points, batch));
             batch = nextSize(batch, options.maxBatchSize())) {
            Point point = measure(model, item, batch, options.workers(), resident, peaksKnown, deadline, clock);
            points.add(point);
            if (point.itemsPerSecond() < points.get(points.size() - 2).itemsPerSecond() * WORTH_DOUBLING) {
                break;
            }
        }
        Point fastest = fastest(points);
        peaksKnown &= timed;
        MemoryBudget memory = peaksKnown ? budget(memoryLimit, resident, points)
                : new MemoryBudget(OptionalLong.empty(), Math.max(0, resident), 0, 0);
        int fitting = memory.largestBatch(fastest.batchSize(), options.workers());
        int maxBatch = warmEverySize(model, item, fitting, points, deadline);
        double itemsPerSecond = points.stream().filter(p -> p.batchSize() <= maxBatch)
                .mapToDouble(Point::itemsPerSecond).max().orElse(fastest.itemsPerSecond());
        int capacity = queueCapacity(options, maxBatch, itemsPerSecond);
        String note = peaksKnown ? null : !timed
                ? "not measured: the budget allowed no timed run after the model's first runs, so batch size 1"
                : "peak memory unreadable here (/proc/self/clear_refs), batch size not bounded by memory";
        return new Result(List.copyOf(points), fastest.batchSize(), maxBatch, capacity, memory,
                (clock.getAsLong() - start) / 1e6, budget.toNanos() / 1e6, firstRunsMillis, note);
    }

    /** Where the budget ends; no run starts that it does not expect to finish before then. */
    private record Deadline(long nanos, LongSupplier clock) {
        boolean allows(long costNanos) {
            return clock.getAsLong() + costNanos <= nanos;
        }

        boolean passed() {
            return clock.getAsLong() >= nanos;
        }
    }

    /**
     * What measuring {@code batch} costs after the last size measured: two runs preparing its shape and one timed,
     * each of that many more items per worker, from the slowest run seen (noise on a busy machine makes runs
     * slower, rarely faster), plus one run of each size in between, which warming would need if it were chosen.
     */
    private static long nextCost(List<Point> points, int batch) {
        Point last = points.get(points.size() - 1);
        double nanosPerItemRun = last.slowestRunNanos() / last.batchSize();
        double between = 0;
        for (int size = last.batchSize() + 1; size < batch; size++) {
            between += size;
        }
        return (long) (nanosPerItemRun * (3 * batch + between));
    }

    /**
     * At most the configured capacity, and no more than the model finishes within the deadline at the measured
     * rate (a request admitted beyond that would only be dropped at its deadline); at least enough to fill every
     * worker's batch twice.
     */
    static int queueCapacity(EngineOptions options, int maxBatch, double itemsPerSecond) {
        long withinDeadline = (long) (itemsPerSecond * options.deadline().toNanos() / 1e9);
        int floor = 2 * maxBatch * options.workers();
        return (int) Math.max(Math.min(floor, options.queueCapacity()),
                Math.min(options.queueCapacity(), withinDeadline));
    }

    /**
     * A run's memory from the peaks at the smallest and largest batch measured: the slope is per item, the rest
     * per run. With one batch size (or a slope lost in noise) all of it counts per item, which overestimates.
     */
    static MemoryBudget budget(OptionalLong limit, long resident, List<Point> points) {
        Point first = points.get(0);
        Point last = points.get(points.size() - 1);
        long slope = last.batchSize() > first.batchSize()
                ? (last.peakExtraBytes() - first.peakExtraBytes()) / (last.batchSize() - first.batchSize()) : 0;
        if (slope <= 0) {
            long perItem = points.stream().mapToLong(p -> p.peakExtraBytes() / p.batchSize()).max().orElse(0);
            return new MemoryBudget(limit, resident, 0, perItem);
        }
        return new MemoryBudget(limit, resident, Math.max(0, first.peakExtraBytes() - first.batchSize() * slope),
                slope);
    }

    private static int nextSize(int batch, int max) {
        return batch >= max ? max + 1 : Math.min(max, batch * 2);
    }

    static Point fastest(List<Point> points) {
        Point best = Collections.max(points, (a, b) -> Double.compare(a.itemsPerSecond(), b.itemsPerSecond()));
        for (Point p : points) { // ascending sizes: the smallest within the tie wins
            if (p.itemsPerSecond() * TIE >= best.itemsPerSecond()) {
                return p;
            }
        }
        return best;
    }

    /**
     * TensorFlow's first run of a shape prepares it (MobileNetV2 here: 100-450 ms against 25-50 ms), and the second
     * is still slower than the rest (75 against 19 ms): neither is timed.
     */
    private static long prepare(Model model, List<float[]> items, LongSupplier clock) {
        long t0 = clock.getAsLong();
        model.predictItems(items);
        long t1 = clock.getAsLong();
        model.predictItems(items);
        return Math.max(t1 - t0, clock.getAsLong() - t1);
    }

    /**
     * Times {@code workers} batches run at once, as the engine runs them (they share TensorFlow's pool, so this is
     * the throughput serving gets), and reads the peak they reach together: memory the first runs left allocated
     * but free is reused by one of them, the others need their own, which a lone run would not show.
     */
    private static Point measure(Model model, float[] item, int batch, int workers, long resident,
                                 boolean peaksKnown, Deadline deadline, LongSupplier clock) {
        List<float[]> items = Collections.nCopies(batch, item);
        long slowest = 0;
        if (batch > 1) {
            slowest = prepare(model, items, clock);
        }
        if (peaksKnown) {
            ResidentMemory.resetPeak();
        }
        long best = Long.MAX_VALUE;
        for (int run = 0; run < MAX_TIMED_RUNS; run++) {
            long t0 = clock.getAsLong();
            runAtOnce(model, items, workers);
            long took = clock.getAsLong() - t0;
            best = Math.min(best, took);
            slowest = Math.max(slowest, took);
            if (took * (run + 1) > SHORT_RUN_NANOS || !deadline.allows(took)) {
                break;
            }
        }
        long peakExtra = peaksKnown ? Math.max(0, ResidentMemory.peak() - resident) / workers : -1;
        return new Point(batch, best / 1e6 / batch / workers, peakExtra, slowest);
    }

    private static void runAtOnce(Model model, List<float[]> items, int workers) {
        List<Thread> others = new ArrayList<>();
        List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
        for (int w = 1; w < workers; w++) {
            others.add(Thread.ofPlatform().name("calibration-" + w).start(() -> {
                try {
                    model.predictItems(items);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        model.predictItems(items);
        for (Thread t : others) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calibrating", e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /**
     * Runs each size up to {@code maxBatch} not measured yet, so that no request pays for its shape's first run;
     * returns the largest size up to which every size has run: lower than asked when the budget ran out first.
     */
    private static int warmEverySize(Model model, float[] item, int maxBatch, List<Point> measured,
                                     Deadline deadline) {
        for (int batch = 1; batch <= maxBatch; batch++) {
            int size = batch;
            if (measured.stream().noneMatch(p -> p.batchSize() == size)) {
                if (deadline.passed()) {
                    return size - 1;
                }
                model.predictItems(Collections.nCopies(size, item));
            }
        }
        return maxBatch;
    }
}

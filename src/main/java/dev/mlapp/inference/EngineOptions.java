package dev.mlapp.inference;

import dev.mlapp.model.Model;
import dev.mlapp.model.SessionOptions;
import java.time.Duration;

/**
 * Every tuning knob of inference in one place, after TensorFlow Serving's batching options. Defaults come from
 * {@link #forCores(int)} with the container's {@link CpuLimit}; the serve command overrides each from flags/env.
 *
 * @param workers            batches that may run at once, all in the one session and so sharing its intra-op pool
 *                           (sized to the cores, not per worker). With two, one batch's Java work (forming it,
 *                           copying inputs, answering callers) overlaps the other's compute: MobileNetV2 served
 *                           20–48 % more requests per second than with one worker, and a lone request runs as fast
 *                           (BENCHMARKS.md). More than two were not measured
 * @param maxBatchSize       most items in one model run. Bigger batches amortise per-run overhead and raise
 *                           throughput until the cores are saturated, then only add latency: every item of a batch
 *                           waits for the whole batch
 * @param batchTimeoutMicros longest a partial batch waits for more items once the server is busy (an idle server
 *                           never waits: see {@link BatchScheduler}). Longer fills batches better under load at the
 *                           cost of up to this much added latency; 0 = run whatever is queued
 * @param queueCapacity      requests admitted at once (being decoded, queued or in a running batch); beyond it
 *                           requests get 503 at once. Larger absorbs bursts, but every admitted request is latency
 *                           for those behind it: an admitted request waits about capacity ÷ throughput, so this
 *                           bounds latency under overload; below about 2 × maxBatchSize batches cannot fill
 * @param deadline           how long an item may wait before it is dropped unrun, since the client has likely given
 *                           up; shorter sheds load sooner, too short drops work a patient client still wanted
 * @param intraOpThreads     threads one TensorFlow kernel (a convolution) splits across; more than the cores the
 *                           container may use only adds contention and CFS throttling
 * @param interOpThreads     independent TensorFlow kernels that may run at once; image CNNs are mostly a chain of
 *                           layers, so 1–2 suffices and more only competes with intra-op threads
 * @param maxQueueDelay      refuse (503 at once) a request that the requests already admitted would keep waiting
 *                           longer than this, estimated from recent throughput; bounds the latency of admitted
 *                           requests under overload where queueCapacity only bounds their number. Shorter keeps
 *                           admitted latency close to the unloaded one but refuses more of a burst; zero = off
 */
public record EngineOptions(int workers, int maxBatchSize, long batchTimeoutMicros, int queueCapacity,
                            Duration deadline, int intraOpThreads, int interOpThreads, Duration maxQueueDelay) {

    /** Without a queue-delay budget. */
    public EngineOptions(int workers, int maxBatchSize, long batchTimeoutMicros, int queueCapacity,
                         Duration deadline, int intraOpThreads, int interOpThreads) {
        this(workers, maxBatchSize, batchTimeoutMicros, queueCapacity, deadline, intraOpThreads, interOpThreads,
                Duration.ZERO);
    }

    public static final int DEFAULT_MAX_BATCH_SIZE = 8;
    public static final long DEFAULT_BATCH_TIMEOUT_MICROS = 2_000;
    /**
     * Above the course's siege concurrency (30 clients, even if one pod gets them all), so closed-loop load never
     * sees a 503; open-loop overload then waits up to 64 ÷ throughput. For tight latency under overload use about
     * 2 × maxBatchSize (see BENCHMARKS.md).
     */
    public static final int DEFAULT_QUEUE_CAPACITY = 64;
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    /** Defaults for this container's CPU limit. */
    public static final EngineOptions DEFAULTS = forCores(CpuLimit.detect());

    public EngineOptions {
        if (workers < 1 || maxBatchSize < 1 || batchTimeoutMicros < 0 || queueCapacity < 1
                || deadline.isNegative() || deadline.isZero() || intraOpThreads < 0 || interOpThreads < 0
                || maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("engine options out of range: " + this);
        }
    }

    /**
     * Defaults for a container that may use {@code cores} cores: TensorFlow's pool spans them all, and two workers
     * share it (one on a single core, where there is nothing to overlap).
     */
    public static EngineOptions forCores(int cores) {
        return new EngineOptions(Math.min(2, cores), DEFAULT_MAX_BATCH_SIZE, DEFAULT_BATCH_TIMEOUT_MICROS,
                DEFAULT_QUEUE_CAPACITY, DEFAULT_DEADLINE, cores, Math.min(2, cores));
    }

    public EngineOptions withBatching(int maxBatch, long timeoutMicros) {
        return new EngineOptions(workers, maxBatch, timeoutMicros, queueCapacity, deadline, intraOpThreads,
                interOpThreads, maxQueueDelay);
    }

    public EngineOptions withQueue(int capacity, Duration itemDeadline) {
        return new EngineOptions(workers, maxBatchSize, batchTimeoutMicros, capacity, itemDeadline, intraOpThreads,
                interOpThreads, maxQueueDelay);
    }

    /** The TensorFlow session configuration these options ask for; load the model with it. */
    public SessionOptions sessionOptions() {
        return new SessionOptions(intraOpThreads, interOpThreads);
    }

    public InferenceEngine createEngine(Model model) {
        return createEngine(model, EngineListener.NONE);
    }

    public InferenceEngine createEngine(Model model, EngineListener listener) {
        return new BatchingEngine(model, this, listener);
    }
}

package dev.mlapp.cli;

import dev.mlapp.inference.EngineOptions;
import java.time.Duration;
import java.util.List;

/**
 * The inference engine's flags, shared by {@code serve} and {@code bench} so both are tuned the same way.
 * Unset knobs keep {@link EngineOptions#DEFAULTS}, which are sized from the container's CPU limit.
 */
final class EngineFlags {

    static final List<String> FLAGS = List.of("workers", "max-batch-size", "batch-timeout-micros", "queue-capacity",
            "request-deadline", "intra-op-threads", "inter-op-threads", "max-queue-delay", "calibration-budget");

    static final String HELP = """
              --workers N                        batches run at once, sharing TensorFlow's threads
                                                 [INFERENCE_WORKERS] (default 2; 1 when the CPU limit is 1)
              --max-batch-size N                 most requests per model run [MAX_BATCH_SIZE] (default 8)
              --batch-timeout-micros N           longest a partial batch waits when busy [BATCH_TIMEOUT_MICROS]
                                                 (default 2000; an idle server never waits)
              --queue-capacity N                 requests admitted at once (decoding, queued or running);
                                                 beyond it 503 at once [QUEUE_CAPACITY] (default 64)
              --max-queue-delay DURATION         refuse at once a request expected to wait longer than this
                                                 behind those admitted [MAX_QUEUE_DELAY] (default 0 = off)
              --request-deadline DURATION        drop a request that waited longer, unrun [REQUEST_DEADLINE]
                                                 (default 10s)
              --intra-op-threads N               TensorFlow threads per kernel [INTRA_OP_THREADS]
                                                 (default: the container's CPU limit)
              --inter-op-threads N               TensorFlow kernels at once [INTER_OP_THREADS] (default ≤ 2)
              --calibration-budget DURATION      at warm-up, time the model at batch sizes 1, 2, 4… up to
                                                 --max-batch-size and use the fastest that fits the container's
                                                 memory; cap the queue at what the model finishes within the
                                                 deadline [CALIBRATION_BUDGET] (default 2s; 0 = off)
            """;

    static final Duration DEFAULT_CALIBRATION_BUDGET = Duration.ofSeconds(2);

    private EngineFlags() {
    }

    static Duration calibrationBudget(Options options) {
        Duration budget = options.duration("calibration-budget", "CALIBRATION_BUDGET", DEFAULT_CALIBRATION_BUDGET);
        if (budget.isNegative()) {
            throw new UsageException("--calibration-budget must not be negative");
        }
        return budget;
    }

    static EngineOptions parse(Options options) {
        EngineOptions d = EngineOptions.DEFAULTS;
        try {
            return new EngineOptions(
                    options.intValue("workers", "INFERENCE_WORKERS", d.workers()),
                    options.intValue("max-batch-size", "MAX_BATCH_SIZE", d.maxBatchSize()),
                    options.longValue("batch-timeout-micros", "BATCH_TIMEOUT_MICROS", d.batchTimeoutMicros()),
                    options.intValue("queue-capacity", "QUEUE_CAPACITY", d.queueCapacity()),
                    options.duration("request-deadline", "REQUEST_DEADLINE", d.deadline()),
                    options.intValue("intra-op-threads", "INTRA_OP_THREADS", d.intraOpThreads()),
                    options.intValue("inter-op-threads", "INTER_OP_THREADS", d.interOpThreads()),
                    options.duration("max-queue-delay", "MAX_QUEUE_DELAY", d.maxQueueDelay()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("engine options: workers, batch size and queue capacity must be at least 1, "
                    + "the timeout and thread counts at least 0, the deadline positive, the queue delay not negative");
        }
    }
}

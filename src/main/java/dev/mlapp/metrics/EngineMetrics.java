package dev.mlapp.metrics;

import dev.mlapp.inference.EngineListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;

/**
 * The inference engine's metrics: how full the queue is, how big batches get, and how much work is refused or
 * dropped. Together with {@code ml_preprocess_duration_seconds} and {@code ml_inference_duration_seconds} they say
 * whether a replica is CPU-bound in decoding, in the model, or simply overloaded.
 */
public final class EngineMetrics implements EngineListener {

    /** Batch sizes are small integers; a bucket per power of two up to the largest sensible batch. */
    private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128};

    private final PrometheusRegistry registry;
    private final Histogram batchSize;
    private final Histogram batchDuration;
    private final Counter rejected;
    private final Counter deadlineDropped;

    public EngineMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        batchSize = Histogram.builder().name("ml_batch_size")
                .help("Items per model run; near 1 under light load, up to the max batch size under heavy load.")
                .classicOnly().classicUpperBounds(BATCH_SIZE_BUCKETS).register(registry);
        batchDuration = Histogram.builder().name("ml_batch_duration_seconds")
                .help("Duration of one model run, whatever its batch size.")
                .classicOnly().classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .register(registry);
        rejected = Counter.builder().name("ml_rejected_requests_total")
                .help("Requests refused with 503 because the replica was at capacity.").register(registry);
        deadlineDropped = Counter.builder().name("ml_deadline_dropped_total")
                .help("Requests dropped unrun because they waited past their deadline.").register(registry);
    }

    /** Exposes the engine's queue depth, read at scrape time; call once the engine exists. */
    public void watchQueue(IntSupplier queueDepth) {
        GaugeWithCallback.builder().name("ml_queue_depth")
                .help("Requests waiting for a batch worker right now.")
                .callback(cb -> cb.call(queueDepth.getAsInt())).register(registry);
    }

    @Override
    public void rejected() {
        rejected.inc();
    }

    @Override
    public void deadlineDropped() {
        deadlineDropped.inc();
    }

    @Override
    public void batchRan(int size, long runNanos) {
        batchSize.observe(size);
        batchDuration.observe(runNanos / 1e9);
    }
}

package dev.mlapp.inference;

/**
 * What the classifier and its batching engine report as they work, for metrics. Methods are called on hot paths
 * (request threads and batch workers), so implementations must be cheap and thread-safe.
 */
public interface EngineListener {

    EngineListener NONE = new EngineListener() {
    };

    /** Admission refused a request: the replica is at capacity (one call per refused request). */
    default void rejected() {
    }

    /** A task expired in the queue and was dropped before the model saw it. */
    default void deadlineDropped() {
    }

    /** The model ran one batch of {@code size} items in {@code runNanos}. */
    default void batchRan(int size, long runNanos) {
    }
}

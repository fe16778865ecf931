package dev.mlapp.inference;

/**
 * What the batching engine reports as it works, for metrics. Methods are called on hot paths (request threads
 * and batch workers), so implementations must be cheap and thread-safe.
 */
public interface EngineListener {

    EngineListener NONE = new EngineListener() {
    };

    /** A submit found the queue full and was refused. */
    default void rejected() {
    }

    /** A task expired in the queue and was dropped before the model saw it. */
    default void deadlineDropped() {
    }

    /** The model ran one batch of {@code size} items in {@code runNanos}. */
    default void batchRan(int size, long runNanos) {
    }
}

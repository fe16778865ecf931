package dev.mlapp.inference;

import java.util.concurrent.CompletableFuture;

/**
 * Runs model inference for HTTP handlers. Handlers submit one preprocessed input item and wait for its output;
 * the engine decides how items reach the model (one by one, or grouped into batches) and refuses work it cannot
 * take in time rather than letting a queue grow.
 */
public interface InferenceEngine extends AutoCloseable {

    /**
     * Queues one input item (e.g. 224×224×3 floats).
     *
     * @param deadlineNanos {@link System#nanoTime()} after which the result is no longer wanted; the item is then
     *                      dropped before it reaches the model and the future fails with {@link DeadlineExceededException}
     * @return completes with the item's output, or exceptionally with {@link dev.mlapp.model.InferenceException}
     * @throws OverloadedException at once, when the queue is full
     *
     * <p>The engine reads {@code input} only before the returned future completes, so the caller may reuse the
     * array once it has (or once this method has thrown).
     */
    CompletableFuture<Inference> submit(float[] input, long deadlineNanos);

    /** Floats in one input item: the length {@link #submit} expects. */
    int itemSize();

    /** Items waiting for the model right now. */
    int queueDepth();

    /** Stops taking work, finishes what is queued, and releases threads. */
    @Override
    void close();
}

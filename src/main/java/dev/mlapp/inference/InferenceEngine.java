package dev.mlapp.inference;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs model inference for the {@link Classifier}. It submits a request's preprocessed input items and waits for
 * their outputs; the engine decides how items reach the model (one by one, or grouped into batches). It takes
 * whatever it is given: how much may be in flight is admission's decision, made before the items get here.
 */
public interface InferenceEngine extends AutoCloseable {

    /**
     * Queues one request's input items (e.g. 224×224×3 floats each) together, so that a free worker finds them
     * all: up to the largest batch, they share one model run.
     *
     * @param deadlineNanos {@link System#nanoTime()} after which the results are no longer wanted; an item still
     *                      queued then is dropped before it reaches the model, its future failing with
     *                      {@link DeadlineExceededException}
     * @return one future per item, in order, each completing with the item's output or exceptionally with
     *         {@link dev.mlapp.model.InferenceException}
     * @throws EngineClosedException     the engine is closed; nothing was queued
     * @throws IllegalArgumentException an item is not {@link #itemSize()} floats; nothing was queued
     *
     * <p>The engine reads an item only before its future completes, so the caller may reuse the array once it has
     * (or once this method has thrown).
     */
    List<CompletableFuture<Inference>> submit(List<float[]> inputs, long deadlineNanos);

    /** Floats in one input item: the length {@link #submit} expects. */
    int itemSize();

    /** Items waiting for the model right now. */
    int queueDepth();

    /** Stops taking work, finishes what is queued, and releases threads. */
    @Override
    void close();
}

package dev.mlapp.inference;

import java.util.concurrent.CompletableFuture;

/**
 * One submitted item on its way to the model.
 *
 * @param input          one preprocessed item, e.g. 224×224×3 floats; read once, when its batch is assembled
 * @param deadlineNanos  {@link System#nanoTime()} after which nobody wants the result
 * @param enqueuedNanos  {@link System#nanoTime()} at submit
 * @param result         completed by the batch runner, exactly once
 */
record Task(float[] input, long deadlineNanos, long enqueuedNanos, CompletableFuture<Inference> result) {

    boolean expiredAt(long nowNanos) {
        return nowNanos - deadlineNanos > 0;
    }
}

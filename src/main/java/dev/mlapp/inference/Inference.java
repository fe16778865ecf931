package dev.mlapp.inference;

/**
 * One item's result.
 *
 * @param output     the model's output for this item (e.g. 11 probabilities)
 * @param queueNanos time between submit and the start of the model run
 * @param runNanos   duration of the model run that computed it (shared by the whole batch)
 * @param batchSize  how many items that run computed
 */
public record Inference(float[] output, long queueNanos, long runNanos, int batchSize) {
}

package dev.mlapp.inference;

import java.util.List;

/**
 * A classified image.
 *
 * @param topK            the k most probable classes, most probable first
 * @param preprocessNanos decode + resize + scaling
 * @param queueNanos      waiting for the model
 * @param inferenceNanos  the model run (shared by its batch)
 * @param batchSize       items in that model run
 * @param output          the model's whole output for the image (e.g. 11 probabilities), for protocols that
 *                        return tensors rather than labels
 */
public record Prediction(List<ScoredLabel> topK, long preprocessNanos, long queueNanos, long inferenceNanos,
                         int batchSize, float[] output) {

    public record ScoredLabel(String label, float probability) {
    }

    public ScoredLabel best() {
        return topK.get(0);
    }
}

package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.model.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/** Image bytes in, ranked labels out: preprocessing, the engine, and top-k selection. */
public final class Classifier {

    private final ImagePreprocessor preprocessor;
    private final InferenceEngine engine;
    private final Labels labels;
    private final long deadlineNanos;

    public Classifier(ImagePreprocessor preprocessor, InferenceEngine engine, Labels labels, Duration deadline) {
        this.preprocessor = preprocessor;
        this.engine = engine;
        this.labels = labels;
        this.deadlineNanos = deadline.toNanos();
    }

    /**
     * @throws ImageException             the bytes are not a usable image
     * @throws OverloadedException        the engine's queue is full
     * @throws DeadlineExceededException  the request waited too long for the model
     * @throws dev.mlapp.model.InferenceException TensorFlow failed
     */
    public Prediction classify(byte[] image, int k) throws ImageException {
        long start = System.nanoTime();
        float[] input = preprocessor.toTensor(image);
        long preprocessed = System.nanoTime();
        Inference inference = await(engine.submit(input, preprocessed + deadlineNanos));
        return new Prediction(topK(inference.output(), k), preprocessed - start, inference.queueNanos(),
                inference.runNanos(), inference.batchSize());
    }

    private static Inference await(java.util.concurrent.CompletableFuture<Inference> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        } catch (CancellationException e) {
            throw new DeadlineExceededException("request was cancelled");
        }
    }

    List<Prediction.ScoredLabel> topK(float[] probabilities, int k) {
        int count = Math.min(Math.max(k, 1), probabilities.length);
        List<Prediction.ScoredLabel> ranked = new ArrayList<>(count);
        boolean[] taken = new boolean[probabilities.length];
        for (int r = 0; r < count; r++) {
            int best = -1;
            for (int i = 0; i < probabilities.length; i++) {
                if (!taken[i] && (best < 0 || probabilities[i] > probabilities[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            ranked.add(new Prediction.ScoredLabel(labels.get(best), probabilities[best]));
        }
        return ranked;
    }

    public Labels labels() {
        return labels;
    }

    public InferenceEngine engine() {
        return engine;
    }
}

package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Labels;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One loaded and warmed-up model version with the classifier that serves it. A request takes the
 * {@link ModelHost}'s current one once ({@link ModelHost#holdIfReady()}), uses it to the end and then
 * {@link #close()}s its hold, so a version swapped in meanwhile never answers half a request, and the old one is
 * released only when the last request holding it has finished.
 */
public final class ServingModel implements AutoCloseable {

    private final Model model;
    private final Classifier classifier;
    private final InputPlan plan;
    private final String version;
    private final double loadMillis;
    private final Consumer<ServingModel> onFailure;
    private final Map<String, Object> calibration;
    /** The host's own hold while this is its current model, plus one per request using it; released at zero. */
    private final AtomicInteger holds = new AtomicInteger(1);

    ServingModel(Model model, Classifier classifier, InputPlan plan, String version, double loadMillis,
                 Consumer<ServingModel> onFailure, Map<String, Object> calibration) {
        this.calibration = calibration;
        this.model = model;
        this.classifier = classifier;
        this.plan = plan;
        this.version = version;
        this.loadMillis = loadMillis;
        this.onFailure = onFailure;
    }

    /** @return false when the model has already been released (the host has swapped in another) */
    boolean tryHold() {
        int n;
        do {
            n = holds.get();
            if (n == 0) {
                return false;
            }
        } while (!holds.compareAndSet(n, n + 1));
        return true;
    }

    /** Gives up one hold; the last one finishes queued work and releases the engine's threads and the session. */
    @Override
    public void close() {
        if (holds.decrementAndGet() == 0) {
            release();
        }
    }

    /**
     * As {@link Classifier#classify(List, int)}: a request's images or tensors, admitted and run as one. A
     * TensorFlow failure also tells the host, which takes the replica out of rotation until a self-check passes.
     */
    public List<Prediction> classify(List<Item> items, int k) throws ImageException {
        try {
            return classifier.classify(items, k);
        } catch (InferenceException e) {
            onFailure.accept(this);
            throw e;
        }
    }

    /** As {@link Classifier#maxItems()}. */
    public int maxItems() {
        return classifier.maxItems();
    }

    /** The version directory's number ({@code 1} for a model loaded from one file or directory). */
    public String version() {
        return version;
    }

    public ModelInfo info() {
        return model.info();
    }

    public Labels labels() {
        return classifier.labels();
    }

    /** The pixel scaling and labels chosen for this model, with their reasons. */
    public InputPlan plan() {
        return plan;
    }

    /** What warm-up measured and chose ({@link Calibration.Result#toMap}); empty when calibration was off. */
    public Optional<Map<String, Object>> calibration() {
        return Optional.ofNullable(calibration);
    }

    /** Loading, building and warming up, in milliseconds. */
    public double loadMillis() {
        return loadMillis;
    }

    Classifier classifier() {
        return classifier;
    }

    private void release() {
        try {
            classifier.close();
        } finally {
            model.close();
        }
    }
}

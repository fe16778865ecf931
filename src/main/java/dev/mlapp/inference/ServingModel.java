package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Labels;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import java.util.function.Consumer;

/**
 * One loaded and warmed-up model with the classifier that serves it. A request takes the {@link ModelHost}'s
 * current one once and uses it to the end, so a model swapped in meanwhile never answers half a request.
 */
public final class ServingModel {

    private final Model model;
    private final Classifier classifier;
    private final InputPlan plan;
    private final double loadMillis;
    private final Consumer<ServingModel> onFailure;

    ServingModel(Model model, Classifier classifier, InputPlan plan, double loadMillis,
                 Consumer<ServingModel> onFailure) {
        this.model = model;
        this.classifier = classifier;
        this.plan = plan;
        this.loadMillis = loadMillis;
        this.onFailure = onFailure;
    }

    /**
     * As {@link Classifier#classify}; a TensorFlow failure also tells the host, which takes the replica out of
     * rotation until a self-check passes.
     */
    public Prediction classify(byte[] image, int k) throws ImageException {
        try {
            return classifier.classify(image, k);
        } catch (InferenceException e) {
            onFailure.accept(this);
            throw e;
        }
    }

    /** As {@link Classifier#infer}, for items that are already model inputs; failures tell the host too. */
    public java.util.List<Inference> infer(java.util.List<float[]> items) {
        try {
            return classifier.infer(items);
        } catch (InferenceException e) {
            onFailure.accept(this);
            throw e;
        }
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

    /** Loading, building and warming up, in milliseconds. */
    public double loadMillis() {
        return loadMillis;
    }

    Classifier classifier() {
        return classifier;
    }

    /** Finishes queued work, then releases the engine's threads and the model's session. */
    void close() {
        try {
            classifier.close();
        } finally {
            model.close();
        }
    }
}

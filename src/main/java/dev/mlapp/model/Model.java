package dev.mlapp.model;

/**
 * The one interface between the server and a loaded network, whatever file it came from.
 *
 * <p>Implementations are thread-safe: one instance (one TensorFlow session) serves every request.
 */
public interface Model extends AutoCloseable {

    ModelInfo info();

    /**
     * Runs the network on a batch.
     *
     * @param input batch-first input, e.g. [n, 224, 224, 3] for an image model
     * @return the model's single output, batch-first, e.g. [n, 11]
     * @throws InferenceException when TensorFlow fails to run the graph
     */
    FloatArray predict(FloatArray input);

    @Override
    void close();
}

package dev.mlapp.model;

import java.util.List;

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

    /**
     * Runs the network on items gathered from separate callers as one batch. The default copies them into one
     * array; {@link TfModel} writes each item straight into the input tensor, so batching needs no Java-side buffer.
     *
     * @param items each of {@code info().inputItemSize()} floats
     * @return batch-first output, one row per item, in the order given
     */
    default FloatArray predictItems(List<float[]> items) {
        int itemSize = info().inputItemSize();
        float[] data = new float[items.size() * itemSize];
        for (int i = 0; i < items.size(); i++) {
            System.arraycopy(items.get(i), 0, data, i * itemSize, itemSize);
        }
        return predict(new FloatArray(batchShape(info().inputShape(), items.size()), data));
    }

    /** {@code itemShape} with a leading batch dimension of {@code n}. */
    static long[] batchShape(long[] itemShape, int n) {
        long[] shape = new long[itemShape.length + 1];
        shape[0] = n;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        return shape;
    }

    @Override
    void close();
}

package dev.mlapp.model.keras;

import com.google.gson.JsonObject;

/**
 * What every Keras file format boils down to: the model's architecture as Keras serialised it
 * ({@code {"class_name": ..., "config": ...}}), where its weights are, and which Keras wrote it.
 * The readers ({@link LegacyH5Reader}, {@link KerasArchiveReader}) produce this; {@link GraphBuilder} consumes it.
 *
 * @param format       {@code keras-h5} or {@code keras-zip}
 * @param modelConfig  the top-level serialised model
 * @param kerasVersion e.g. {@code 2.3.1}, {@code 2.2.4-tf}, {@code 3.6.0}; "unknown" when the file does not say
 * @param backend      e.g. {@code tensorflow}; "unknown" when the file does not say
 * @param weights      the weight values, looked up by layer
 */
record KerasModelFile(String format, JsonObject modelConfig, String kerasVersion, String backend,
                      WeightStore weights) implements AutoCloseable {

    @Override
    public void close() {
        weights.close();
    }
}

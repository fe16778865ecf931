package dev.mlapp.model;

import dev.mlapp.model.keras.KerasImporter;
import java.nio.file.Path;

/** Opens whatever the user points {@code MODEL_PATH} at, choosing the reader by the file's content. */
public final class ModelLoader {

    private ModelLoader() {
    }

    /** Loads a model file or directory; with {@code path == null}, the embedded demo model. */
    public static Model load(Path path, SessionOptions options) {
        if (path == null) {
            return EmbeddedModel.load(options);
        }
        return switch (ModelFormat.detect(path)) {
            case SAVED_MODEL -> SavedModelLoader.load(path, options);
            case KERAS_H5, KERAS_ZIP -> KerasImporter.load(path, options);
        };
    }

    /**
     * Loads a model given as architecture and weights in two files: the JSON of Keras's {@code model.to_json()}
     * and the HDF5 of {@code model.save_weights()}. With {@code weights == null}, the same as {@link #load(Path,
     * SessionOptions)}.
     */
    public static Model load(Path path, Path weights, SessionOptions options) {
        if (weights == null) {
            return load(path, options);
        }
        if (path == null) {
            throw new ModelLoadException("weights " + weights + " given without a model: point the model at the "
                    + "architecture JSON (model.to_json()) that goes with them");
        }
        if (ModelFormat.detect(weights) != ModelFormat.KERAS_H5) {
            throw new ModelLoadException("weights file " + weights + " is not HDF5; separate weights must be the "
                    + ".h5 that model.save_weights() writes");
        }
        return KerasImporter.load(path, weights, options);
    }
}

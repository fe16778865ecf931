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
}

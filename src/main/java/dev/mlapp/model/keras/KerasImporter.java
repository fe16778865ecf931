package dev.mlapp.model.keras;

import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.SessionOptions;
import java.nio.file.Path;

/** Rebuilds a Keras model file (.h5, .keras) as a TensorFlow graph. */
public final class KerasImporter {

    private KerasImporter() {
    }

    public static Model load(Path file, SessionOptions options) {
        throw new ModelLoadException("Keras files are not supported yet: " + file);
    }
}

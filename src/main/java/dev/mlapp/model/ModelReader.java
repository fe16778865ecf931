package dev.mlapp.model;

import java.nio.file.Path;
import java.util.Map;

/**
 * Reads one {@link ModelFormat} into a model ready to run. {@link ModelLoader} detects a path's format once and
 * hands the path to that format's reader; no reader looks at the format again.
 *
 * <p>Readers of formats with a package of their own (the Keras importer in {@code model.keras}) come from a
 * {@link Provider} found with {@link java.util.ServiceLoader}, so this package never imports theirs: they depend
 * on {@code model}, not the other way round.
 */
public interface ModelReader {

    /** @param path a file or directory {@link ModelFormat#detect} found to be of this reader's format */
    TfModel load(Path path, SessionOptions options);

    /**
     * A model given as an architecture file and a separate weights file of this format (Keras's
     * {@code model.to_json()} and {@code model.save_weights()}); most formats keep both in one.
     */
    default TfModel load(Path architecture, Path weights, SessionOptions options) {
        throw new ModelLoadException("weights file " + weights + " holds a whole model: give it as the model, "
                + "without separate weights");
    }

    /**
     * A package's readers, listed in {@code META-INF/services/dev.mlapp.model.ModelReader$Provider}; it needs a
     * public no-argument constructor.
     */
    interface Provider {

        /** Each format this package reads, with its reader. */
        Map<ModelFormat, ModelReader> readers();
    }
}

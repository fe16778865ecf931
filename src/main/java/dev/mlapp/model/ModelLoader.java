package dev.mlapp.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Opens whatever the user points {@code MODEL_PATH} at: detects its {@link ModelFormat} once, by content, and
 * hands it to that format's {@link ModelReader}.
 */
public final class ModelLoader {

    /** Every format's reader: this package's SavedModel one, and those the {@link ModelReader.Provider}s list. */
    private static final Map<ModelFormat, ModelReader> READERS = readers();

    private ModelLoader() {
    }

    /** Loads a model file or directory; with {@code path == null}, the embedded demo model. */
    public static Model load(Path path, SessionOptions options) {
        if (path == null) {
            return EmbeddedModel.load(options);
        }
        Path model = singleKerasFile(path).orElse(path);
        return reader(ModelFormat.detect(model)).load(model, options);
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
        return reader(ModelFormat.KERAS_H5).load(path, weights, options);
    }

    /** The reader of {@code format}. */
    static ModelReader reader(ModelFormat format) {
        ModelReader reader = READERS.get(format);
        if (reader == null) {
            throw new ModelLoadException("this build reads no " + format.id() + " models: the reader's "
                    + "META-INF/services/" + ModelReader.Provider.class.getName() + " entry is missing from the "
                    + "class path; rebuild the jar with its resources");
        }
        return reader;
    }

    private static Map<ModelFormat, ModelReader> readers() {
        Map<ModelFormat, ModelReader> byFormat = new EnumMap<>(ModelFormat.class);
        byFormat.put(ModelFormat.SAVED_MODEL, SavedModelLoader::load);
        for (ModelReader.Provider provider : ServiceLoader.load(ModelReader.Provider.class,
                ModelLoader.class.getClassLoader())) {
            provider.readers().forEach((format, reader) -> {
                if (byFormat.putIfAbsent(format, reader) != null) {
                    throw new IllegalStateException("two readers for " + format.id() + " models");
                }
            });
        }
        return byFormat;
    }

    /**
     * A directory holding no SavedModel but exactly one {@code .h5}/{@code .keras} file stands for that file: what
     * KServe's storage initializer leaves in {@code /mnt/models} for a {@code storageUri} naming one Keras file.
     */
    static Optional<Path> singleKerasFile(Path path) {
        if (!Files.isDirectory(path) || Files.exists(path.resolve("saved_model.pb"))
                || Files.exists(path.resolve("saved_model.pbtxt"))) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(path)) {
            List<Path> keras = files.filter(Files::isRegularFile).filter(f -> {
                String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return name.endsWith(".h5") || name.endsWith(".keras") || name.endsWith(".hdf5");
            }).toList();
            return keras.size() == 1 ? Optional.of(keras.getFirst()) : Optional.empty();
        } catch (IOException e) {
            throw new ModelLoadException("cannot list model directory " + path + ": " + e.getMessage(), e);
        }
    }
}

package dev.mlapp.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The model file formats the server reads, recognised by content rather than by file name. */
public enum ModelFormat {
    SAVED_MODEL("savedmodel"),
    KERAS_H5("keras-h5"),
    KERAS_ZIP("keras-zip");

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};

    private final String id;

    ModelFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Looks at the path's content: a SavedModel directory, an HDF5 file, or a zip archive (.keras). */
    public static ModelFormat detect(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.exists(path.resolve("saved_model.pb")) || Files.exists(path.resolve("saved_model.pbtxt"))) {
                return SAVED_MODEL;
            }
            throw new ModelLoadException(path + " is a directory without saved_model.pb: not a TensorFlow SavedModel");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelLoadException("model file " + path + " does not exist");
        }
        byte[] head = readHead(path, HDF5_SIGNATURE.length);
        if (Arrays.equals(head, HDF5_SIGNATURE)) {
            return KERAS_H5;
        }
        if (head.length >= ZIP_SIGNATURE.length && Arrays.equals(Arrays.copyOf(head, ZIP_SIGNATURE.length), ZIP_SIGNATURE)) {
            return KERAS_ZIP;
        }
        throw new ModelLoadException(path + " is neither an HDF5 file (.h5), a Keras zip archive (.keras) "
                + "nor a SavedModel directory");
    }

    private static byte[] readHead(Path path, int count) {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(count);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }
}

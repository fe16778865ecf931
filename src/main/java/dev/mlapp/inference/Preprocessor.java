package dev.mlapp.inference;

import dev.mlapp.image.ImageException;

/** Uploaded image bytes to one model input item (height × width × 3 floats, scaled). Thread-safe. */
@FunctionalInterface
public interface Preprocessor {

    float[] toTensor(byte[] image) throws ImageException;
}

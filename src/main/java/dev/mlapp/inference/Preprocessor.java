package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImagePreprocessor;

/** Uploaded image bytes to one model input item (height × width × channels floats, scaled). Thread-safe. */
@FunctionalInterface
public interface Preprocessor {

    float[] toTensor(byte[] image) throws ImageException;

    /**
     * The same item written into the caller's array, which the server reuses across requests (an item of a
     * 224×224 model is 600 KB: a humongous object for G1 with its default 1 MB regions, i.e. heaps under 4 GB).
     * The default copies {@link #toTensor(byte[])}; implementations that can write in place override it.
     *
     * @param into exactly the item's size; every element is overwritten
     */
    default void toTensor(byte[] image, float[] into) throws ImageException {
        float[] item = toTensor(image);
        if (item.length != into.length) {
            throw new IllegalArgumentException("preprocessed item has " + item.length + " values, the array holds "
                    + into.length);
        }
        System.arraycopy(item, 0, into, 0, item.length);
    }

    /** The image package's RGB channels-last preprocessing, writing in place when asked to. */
    static Preprocessor of(ImagePreprocessor rgb) {
        return new Preprocessor() {
            @Override
            public float[] toTensor(byte[] image) throws ImageException {
                return rgb.toTensor(image);
            }

            @Override
            public void toTensor(byte[] image, float[] into) throws ImageException {
                rgb.toTensor(image, into);
            }
        };
    }
}

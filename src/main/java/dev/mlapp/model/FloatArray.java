package dev.mlapp.model;

import java.util.Arrays;

/**
 * A dense float32 array in row-major order with its shape, batch dimension first.
 * The model seam speaks in these so that callers never touch TensorFlow types.
 */
public record FloatArray(long[] shape, float[] data) {

    public FloatArray {
        long count = elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + count + " values, data has " + data.length);
        }
    }

    public static long elementCount(long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("unknown dimension in " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    /** Size of the first (batch) dimension. */
    public int batchSize() {
        return (int) shape[0];
    }

    /** Number of values in one batch item. */
    public int itemSize() {
        return batchSize() == 0 ? 0 : data.length / batchSize();
    }

    /** Copy of the values of one batch item. */
    public float[] item(int index) {
        int size = itemSize();
        return Arrays.copyOfRange(data, index * size, (index + 1) * size);
    }
}

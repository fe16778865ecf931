package dev.mlapp.image;

/**
 * An upright 8-bit RGB picture as a strided view over bytes: pixel (x, y) has its red byte at
 * {@code base + x * xStep + y * yStep + redOffset}. Strides may be negative or swapped, which is how an EXIF
 * orientation is applied without copying, and the offsets may coincide (grey) or skip an alpha byte.
 */
record RgbImage(byte[] data, int width, int height, int base, int xStep, int yStep,
                int redOffset, int greenOffset, int blueOffset) {

    /**
     * An upright view of a stored (unrotated) picture whose pixel (x, y) starts at
     * {@code x * pixelStride + y * rowStride}.
     */
    static RgbImage oriented(byte[] data, int storedWidth, int storedHeight, int pixelStride, int rowStride,
                             int redOffset, int greenOffset, int blueOffset, Orientation orientation) {
        int lastX = (storedWidth - 1) * pixelStride;
        int lastY = (storedHeight - 1) * rowStride;
        int w = orientation.swapsAxes() ? storedHeight : storedWidth;
        int h = orientation.swapsAxes() ? storedWidth : storedHeight;
        // {base, xStep, yStep}: where the upright top-left pixel is stored, and one step right and one down.
        int[] walk = switch (orientation) {
            case NORMAL -> new int[] {0, pixelStride, rowStride};
            case MIRROR_HORIZONTAL -> new int[] {lastX, -pixelStride, rowStride};
            case ROTATE_180 -> new int[] {lastX + lastY, -pixelStride, -rowStride};
            case MIRROR_VERTICAL -> new int[] {lastY, pixelStride, -rowStride};
            case TRANSPOSE -> new int[] {0, rowStride, pixelStride};
            case ROTATE_90_CW -> new int[] {lastY, -rowStride, pixelStride};
            case TRANSVERSE -> new int[] {lastX + lastY, -rowStride, -pixelStride};
            case ROTATE_90_CCW -> new int[] {lastX, rowStride, -pixelStride};
        };
        return new RgbImage(data, w, h, walk[0], walk[1], walk[2], redOffset, greenOffset, blueOffset);
    }

    int index(int x, int y) {
        return base + x * xStep + y * yStep;
    }

    int red(int x, int y) {
        return data[index(x, y) + redOffset] & 0xFF;
    }

    int green(int x, int y) {
        return data[index(x, y) + greenOffset] & 0xFF;
    }

    int blue(int x, int y) {
        return data[index(x, y) + blueOffset] & 0xFF;
    }
}

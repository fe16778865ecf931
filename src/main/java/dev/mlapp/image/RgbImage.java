package dev.mlapp.image;

/**
 * An upright 8-bit RGB picture as a strided view over bytes: pixel (x, y) has its red byte at
 * {@code base + x * xStep + y * yStep + redOffset}. Strides may be negative or swapped, which is how an EXIF
 * orientation is applied without copying, and the offsets may coincide (grey) or skip an alpha byte.
 */
record RgbImage(byte[] data, int width, int height, int base, int xStep, int yStep,
                int redOffset, int greenOffset, int blueOffset) {

    /** An upright view of a stored (unrotated) picture whose pixel (x, y) starts at {@code x * pixelStride + y * rowStride}. */
    static RgbImage oriented(byte[] data, int storedWidth, int storedHeight, int pixelStride, int rowStride,
                             int redOffset, int greenOffset, int blueOffset, Orientation orientation) {
        int lastX = (storedWidth - 1) * pixelStride;
        int lastY = (storedHeight - 1) * rowStride;
        int w = orientation.swapsAxes() ? storedHeight : storedWidth;
        int h = orientation.swapsAxes() ? storedWidth : storedHeight;
        return switch (orientation) {
            case NORMAL -> new RgbImage(data, w, h, 0, pixelStride, rowStride, redOffset, greenOffset, blueOffset);
            case MIRROR_HORIZONTAL -> new RgbImage(data, w, h, lastX, -pixelStride, rowStride,
                    redOffset, greenOffset, blueOffset);
            case ROTATE_180 -> new RgbImage(data, w, h, lastX + lastY, -pixelStride, -rowStride,
                    redOffset, greenOffset, blueOffset);
            case MIRROR_VERTICAL -> new RgbImage(data, w, h, lastY, pixelStride, -rowStride,
                    redOffset, greenOffset, blueOffset);
            case TRANSPOSE -> new RgbImage(data, w, h, 0, rowStride, pixelStride, redOffset, greenOffset, blueOffset);
            case ROTATE_90_CW -> new RgbImage(data, w, h, lastY, -rowStride, pixelStride,
                    redOffset, greenOffset, blueOffset);
            case TRANSVERSE -> new RgbImage(data, w, h, lastX + lastY, -rowStride, -pixelStride,
                    redOffset, greenOffset, blueOffset);
            case ROTATE_90_CCW -> new RgbImage(data, w, h, lastX, rowStride, -pixelStride,
                    redOffset, greenOffset, blueOffset);
        };
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

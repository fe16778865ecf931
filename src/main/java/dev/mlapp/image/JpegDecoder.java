package dev.mlapp.image;

import java.util.function.IntFunction;

/**
 * A faster JPEG decoder than ImageIO's, plugged into {@link ImagePreprocessor} (the server's is
 * {@link TfJpegDecoder}, TensorFlow's libjpeg-turbo). To keep the pipeline PIL-exact at scale 1 it must decode
 * as PIL does: accurate integer IDCT and fancy (smooth) chroma upsampling, grey expanded to RGB.
 * Implementations are thread-safe.
 */
public interface JpegDecoder extends AutoCloseable {

    /**
     * Decodes a one- or three-component JPEG to packed RGB (3 bytes per pixel, rows top to bottom, as stored:
     * EXIF orientation is the caller's business).
     *
     * @param scaleDenominator 1, 2, 4 or 8: decode at 1/n of the size inside the decoder (DCT scaling)
     * @param buffers          gives a byte array of at least the requested length for the pixels
     */
    Pixels decode(byte[] jpeg, int scaleDenominator, IntFunction<byte[]> buffers) throws ImageException;

    /** {@code rgb} may be longer than {@code width × height × 3}; the pixels start at index 0. */
    record Pixels(byte[] rgb, int width, int height) {
    }

    @Override
    default void close() {
    }
}

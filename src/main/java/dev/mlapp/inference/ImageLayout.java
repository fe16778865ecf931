package dev.mlapp.inference;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a model wants its image: channels last (Keras's default, height × width × channels) or first
 * (channels × height × width, Keras {@code data_format="channels_first"}), with 3 (RGB) or 1 (grayscale) channels.
 * Preprocessing always produces height × width × RGB; {@link #adapt} rearranges that for the model.
 */
public record ImageLayout(int height, int width, int channels, boolean channelsFirst) {

    /** The layout of an input shape (batch dimension excluded), or empty when it is not an image. */
    public static Optional<ImageLayout> of(long[] inputShape) {
        if (inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            return Optional.empty();
        }
        boolean lastIsChannels = inputShape[2] == 1 || inputShape[2] == 3;
        boolean firstIsChannels = inputShape[0] == 1 || inputShape[0] == 3;
        if (lastIsChannels) {
            return Optional.of(new ImageLayout((int) inputShape[0], (int) inputShape[1], (int) inputShape[2], false));
        }
        if (firstIsChannels) {
            return Optional.of(new ImageLayout((int) inputShape[1], (int) inputShape[2], (int) inputShape[0], true));
        }
        return Optional.empty();
    }

    /** Wraps an RGB channels-last preprocessor so its output fits this layout; the identity for H×W×3. */
    public Preprocessor adapt(Preprocessor rgbChannelsLast) {
        if (channels == 3 && !channelsFirst) {
            return rgbChannelsLast;
        }
        return new Rearranged(this, rgbChannelsLast);
    }

    /** Keeps the wrapped preprocessor closeable: the TensorFlow one owns a session. */
    private record Rearranged(ImageLayout layout, Preprocessor rgb) implements Preprocessor, AutoCloseable {

        @Override
        public float[] toTensor(byte[] image) throws dev.mlapp.image.ImageException {
            float[] out = new float[layout.itemSize()];
            layout.rearrange(rgb.toTensor(image), out);
            return out;
        }

        @Override
        public void toTensor(byte[] image, float[] into) throws dev.mlapp.image.ImageException {
            layout.rearrange(rgb.toTensor(image), into);
        }

        @Override
        public void close() throws Exception {
            if (rgb instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /** Floats in one item of this layout. */
    public int itemSize() {
        return height * width * channels;
    }

    void rearrange(float[] rgb, float[] out) {
        int pixels = height * width;
        for (int p = 0; p < pixels; p++) {
            float r = rgb[3 * p];
            float g = rgb[3 * p + 1];
            float b = rgb[3 * p + 2];
            if (channels == 1) {
                // PIL's convert('L') weights; affine scaling commutes with them because they sum to 1.
                out[p] = r * 0.299f + g * 0.587f + b * 0.114f;
            } else if (channelsFirst) {
                out[p] = r;
                out[pixels + p] = g;
                out[2 * pixels + p] = b;
            }
        }
    }
}

package dev.mlapp.image;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a model wants its image: channels last (Keras's default, height × width × channels) or first
 * (channels × height × width, Keras {@code data_format="channels_first"}), with 3 (RGB), 1 (grayscale) or 4 (RGBA)
 * channels.
 * Decoding and resizing always produce height × width × RGB; {@link #rearrange} turns that into this layout.
 */
public record ImageLayout(int height, int width, int channels, boolean channelsFirst) {

    public ImageLayout {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("model input size must be positive, not " + height + "×" + width);
        }
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("an image has 1, 3 or 4 channels, not " + channels);
        }
    }

    /** Height × width × RGB, channels last: what most Keras image models take. */
    public static ImageLayout rgb(int height, int width) {
        return new ImageLayout(height, width, 3, false);
    }

    /** The layout of an input shape (batch dimension excluded), or empty when it is not an image. */
    public static Optional<ImageLayout> of(long[] inputShape) {
        if (inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            return Optional.empty();
        }
        boolean lastIsChannels = isChannelCount(inputShape[2]);
        boolean firstIsChannels = isChannelCount(inputShape[0]);
        if (lastIsChannels) {
            return Optional.of(new ImageLayout((int) inputShape[0], (int) inputShape[1], (int) inputShape[2], false));
        }
        if (firstIsChannels) {
            return Optional.of(new ImageLayout((int) inputShape[1], (int) inputShape[2], (int) inputShape[0], true));
        }
        return Optional.empty();
    }

    private static boolean isChannelCount(long n) {
        return n == 1 || n == 3 || n == 4;
    }

    /** The sentence refusing to serve a model whose input is not an image, saying what to use instead. */
    public static String notAnImage(long[] inputShape) {
        return "the model's input " + Arrays.toString(inputShape) + " (batch excluded) is not an image: the server "
                + "takes height x width x channels (either order) with 1, 3 or 4 channels, so it cannot feed this "
                + "model photos. Run it on your own arrays with "
                + "'./ml-app infer --model FILE --input x.npy --output y.npy'";
    }

    /** Floats in one item of this layout. */
    public int itemSize() {
        return height * width * channels;
    }

    /** Whether resized RGB pixels are already this layout (no {@link #rearrange} needed). */
    boolean isRgbChannelsLast() {
        return channels == 3 && !channelsFirst;
    }

    /**
     * Height × width × RGB floats ({@code rgb}) into this layout ({@code out}, {@link #itemSize()} floats). A fourth
     * channel is alpha, fully opaque ({@code opaque}: 255 scaled), as PIL's {@code convert("RGBA")} — what Keras's
     * {@code load_img(color_mode="rgba")} calls — gives for a picture without transparency.
     */
    void rearrange(float[] rgb, float[] out, float opaque) {
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
                if (channels == 4) {
                    out[3 * pixels + p] = opaque;
                }
            } else {
                out[channels * p] = r;
                out[channels * p + 1] = g;
                out[channels * p + 2] = b;
                if (channels == 4) {
                    out[4 * p + 3] = opaque;
                }
            }
        }
    }
}

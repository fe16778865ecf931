package dev.mlapp.image;

/**
 * Whether a large JPEG may be decoded at 1/2, 1/4 or 1/8 of its size inside the decoder (DCT scaling, "shrink on
 * load") before the bicubic resize. Scaled decoding skips the inverse DCT, colour conversion and resize work of the
 * pixels it drops (a 4000×3000 phone photo for a 224×224 model decodes at 1000×750), but the result is no longer the
 * one PIL computes from the full picture.
 */
public enum JpegScaling {

    /** Always decode at full size: the model input is PIL's bit for bit. */
    EXACT,
    /**
     * Decode at the smallest DCT scale that still leaves at least twice the model's input size, then resize with
     * the antialiasing bicubic filter: libvips' rule for its thumbnails. The factor of two left to the filter keeps
     * the result close to the full-size one; the DCT's own box-like reduction, taken all the way down to the input
     * size, would alias and shift it further (docs/image-preprocessing.md).
     */
    FAST;

    /** What the filter is left to do at least: libvips' {@code vips_thumbnail} leaves a factor of two. */
    static final int FILTER_FACTOR = 2;

    /** @return 1, 2, 4 or 8 for a picture of {@code width × height} (upright) resized to {@code outW × outH} */
    public int denominator(long width, long height, int outWidth, int outHeight) {
        if (this == EXACT) {
            return 1;
        }
        for (int n = 8; n > 1; n /= 2) {
            if (width / n >= (long) FILTER_FACTOR * outWidth && height / n >= (long) FILTER_FACTOR * outHeight) {
                return n;
            }
        }
        return 1;
    }
}

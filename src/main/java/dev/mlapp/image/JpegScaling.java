package dev.mlapp.image;

/**
 * Whether a large JPEG may be decoded at 1/2, 1/4 or 1/8 of its size inside the decoder (DCT scaling) before the
 * bicubic resize. Scaled decoding skips most of the work for a phone photo (a 1280×1280 picture for a 224×224 model
 * decodes at 320×320), but the result is no longer the one PIL computes from the full picture.
 */
public enum JpegScaling {

    /** Always decode at full size: the model input is PIL's bit for bit. */
    EXACT,
    /** Decode at the smallest DCT scale that still leaves at least the model's input size, then resize. */
    FAST;

    /** @return 1, 2, 4 or 8 for a picture of {@code width × height} (upright) resized to {@code outW × outH} */
    int denominator(long width, long height, int outWidth, int outHeight) {
        if (this == EXACT) {
            return 1;
        }
        for (int n = 8; n > 1; n /= 2) {
            if (width / n >= outWidth && height / n >= outHeight) {
                return n;
            }
        }
        return 1;
    }
}

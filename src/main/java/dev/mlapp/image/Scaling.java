package dev.mlapp.image;

import java.util.Locale;

/** How 8-bit channel values become model inputs. */
public enum Scaling {
    /** v / 255, in [0, 1]: what the course's Food-11 models were trained on. */
    UNIT("0,1", 255f, 0f),
    /** v / 127.5 − 1, in [−1, 1]: MobileNet-style {@code preprocess_input}. */
    SYMMETRIC("-1,1", 127.5f, -1f),
    /** v unchanged, in [0, 255]: models that rescale inside the graph. */
    RAW("0,255", 1f, 0f);

    /** A division, not a multiplication by the reciprocal: {@code v / 255f} is what Keras's float32 code computes. */
    private final float divisor;

    private final String id;
    private final float offset;

    Scaling(String id, float divisor, float offset) {
        this.id = id;
        this.divisor = divisor;
        this.offset = offset;
    }

    public String id() {
        return id;
    }

    public float apply(int channelValue) {
        return channelValue / divisor + offset;
    }

    /** Accepts the range ({@code 0,1}, {@code -1,1}, {@code 0,255}) or the name ({@code unit}, {@code symmetric}, {@code raw}). */
    public static Scaling parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        for (Scaling s : values()) {
            if (s.id.equals(t) || s.name().toLowerCase(Locale.ROOT).equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("input scaling must be 0,1 or -1,1 or 0,255, not '" + text + "'");
    }
}

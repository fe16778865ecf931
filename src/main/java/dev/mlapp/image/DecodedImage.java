package dev.mlapp.image;

/** Upright RGB pixels; {@code pooled} says whether {@code pixels.data()} was borrowed from a {@link BufferPool}. */
record DecodedImage(RgbImage pixels, boolean pooled) {
}

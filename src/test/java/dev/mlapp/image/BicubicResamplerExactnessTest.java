package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The tuned {@link BicubicResampler} against {@link ReferenceBicubicResampler}, its straightforward form: every
 * output float must be identical, for random pictures of every size, layout and orientation.
 */
class BicubicResamplerExactnessTest {

    private static final int MAX_SIDE = 600;

    @Test
    void matchesTheReferenceOnRandomPicturesSizesAndLayouts() {
        BicubicResampler fast = new BicubicResampler();
        ReferenceBicubicResampler reference = new ReferenceBicubicResampler(new BufferPool(2, 1 << 24));
        for (int seed = 0; seed < 400; seed++) {
            Random random = new Random(seed);
            Case c = Case.random(random);
            assertSame(c, seed, fast, reference);
        }
    }

    @Test
    void matchesTheReferenceAtTheEdges() {
        BicubicResampler fast = new BicubicResampler();
        ReferenceBicubicResampler reference = new ReferenceBicubicResampler(new BufferPool(2, 1 << 24));
        int[] sides = {1, 2, 3, 4, 5, 7, 63, 64, 65, 129, 224};
        int seed = 0;
        for (int inW : sides) {
            for (int inH : sides) {
                for (int out : new int[] {1, 2, 5, 224}) {
                    Random random = new Random(++seed);
                    Case c = new Case(inW, inH, out, sides[random.nextInt(sides.length)],
                            Orientation.values()[seed % 8], Layout.values()[seed % Layout.values().length],
                            Content.values()[seed % Content.values().length], random.nextLong());
                    assertSame(c, seed, fast, reference);
                }
            }
        }
        // Typical uploads and large ratios, both ways.
        Random random = new Random(42);
        for (int[] size : new int[][] {{1280, 960, 224, 224}, {500, 375, 224, 224}, {96, 96, 224, 224},
                {2000, 3, 224, 224}, {3, 2000, 224, 224}, {600, 600, 1, 1}, {1, 1, 600, 600}}) {
            for (Content content : Content.values()) {
                Case c = new Case(size[0], size[1], size[2], size[3], Orientation.ROTATE_90_CW, Layout.RGBA,
                        content, random.nextLong());
                assertSame(c, -1, fast, reference);
            }
        }
    }

    /** Scratch space is shared between calls: concurrent resizes of different sizes must not disturb each other. */
    @Test
    void matchesTheReferenceUnderConcurrentUse() throws Exception {
        BicubicResampler fast = new BicubicResampler();
        ReferenceBicubicResampler reference = new ReferenceBicubicResampler(new BufferPool(2, 1 << 24));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        int seed = 10_000 + thread * 100 + i;
                        assertSame(Case.random(new Random(seed)), seed, fast, reference);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * With the lut of one of the {@link Scaling}s (v / divisor + offset, computed rather than looked up), one that
     * multiplies (v · m + o, also computed) and an arbitrary one (looked up).
     */
    private static void assertSame(Case c, int seed, BicubicResampler fast, ReferenceBicubicResampler reference) {
        RgbImage image = c.image();
        Scaling scaling = Scaling.values()[Math.floorMod(seed, Scaling.values().length)];
        float[] scaled = new float[256];
        float[] multiplied = new float[256];
        float[] arbitrary = new float[256];
        for (int v = 0; v < 256; v++) {
            scaled[v] = scaling.apply(v);
            multiplied[v] = v * (1f / 127.5f) - 1f;
            // distinct values, so any difference in a resized 8-bit value shows in the output
            arbitrary[v] = v * v * 0.5f - v * 3.25f;
        }
        String[] names = {scaling.name(), "multiplied", "arbitrary"};
        float[][] luts = {scaled, multiplied, arbitrary};
        for (int l = 0; l < luts.length; l++) {
            float[] expected = reference.resize(image, c.outWidth, c.outHeight, luts[l]);
            float[] actual = fast.resize(image, c.outWidth, c.outHeight, luts[l]);
            String lut = names[l];
            assertArrayEquals(expected, actual, () -> "seed " + seed + ", " + lut + " lut: " + c);
        }
    }

    enum Layout { RGB, BGR, RGBA, ARGB, GREY, PADDED_ROWS }

    enum Content {
        /** Uniform random bytes: every edge at full contrast. */
        NOISE,
        /** Only 0 and 255: the kernel's negative lobes overshoot, so both passes clip. */
        EXTREMES,
        /** Gradients with a little noise, like a photo. */
        SMOOTH
    }

    record Case(int inWidth, int inHeight, int outWidth, int outHeight, Orientation orientation, Layout layout,
                Content content, long pixelSeed) {

        static Case random(Random random) {
            return new Case(side(random), side(random), side(random), side(random),
                    Orientation.values()[random.nextInt(8)], Layout.values()[random.nextInt(Layout.values().length)],
                    Content.values()[random.nextInt(Content.values().length)], random.nextLong());
        }

        /** Mostly anywhere in 1..600, often tiny, so 1-pixel edges and huge ratios come up. */
        private static int side(Random random) {
            return random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(MAX_SIDE);
        }

        /** The picture as stored (before orientation), in the case's byte layout, viewed upright. */
        RgbImage image() {
            int storedWidth = orientation.swapsAxes() ? inHeight : inWidth;
            int storedHeight = orientation.swapsAxes() ? inWidth : inHeight;
            int pixelStride = switch (layout) {
                case RGBA, ARGB -> 4;
                case GREY -> 1;
                default -> 3;
            };
            int rowStride = storedWidth * pixelStride + (layout == Layout.PADDED_ROWS ? 5 : 0);
            Random random = new Random(pixelSeed);
            byte[] data = new byte[rowStride * storedHeight];
            for (int y = 0; y < storedHeight; y++) {
                for (int i = 0; i < storedWidth * pixelStride; i++) {
                    int x = i / pixelStride;
                    data[y * rowStride + i] = (byte) switch (content) {
                        case NOISE -> random.nextInt(256);
                        case EXTREMES -> random.nextBoolean() ? 0 : 255;
                        case SMOOTH -> x * 180 / storedWidth + y * 60 / storedHeight + random.nextInt(16);
                    };
                }
            }
            return switch (layout) {
                case BGR -> RgbImage.oriented(data, storedWidth, storedHeight, 3, rowStride, 2, 1, 0, orientation);
                case RGBA -> RgbImage.oriented(data, storedWidth, storedHeight, 4, rowStride, 0, 1, 2, orientation);
                case ARGB -> RgbImage.oriented(data, storedWidth, storedHeight, 4, rowStride, 1, 2, 3, orientation);
                case GREY -> RgbImage.oriented(data, storedWidth, storedHeight, 1, rowStride, 0, 0, 0, orientation);
                default -> RgbImage.oriented(data, storedWidth, storedHeight, 3, rowStride, 0, 1, 2, orientation);
            };
        }
    }
}

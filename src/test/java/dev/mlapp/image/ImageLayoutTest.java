package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageLayoutTest {

    /** A 1×2 RGB image: pixel 0 = (1, 2, 3), pixel 1 = (4, 5, 6). */
    private static final float[] RGB = {1, 2, 3, 4, 5, 6};

    @Test
    void recognisesBothChannelOrdersAndRefusesOtherShapes() {
        assertEquals(new ImageLayout(224, 224, 3, false), ImageLayout.of(new long[] {224, 224, 3}).orElseThrow());
        assertEquals(new ImageLayout(28, 28, 1, false), ImageLayout.of(new long[] {28, 28, 1}).orElseThrow());
        assertEquals(new ImageLayout(32, 48, 3, true), ImageLayout.of(new long[] {3, 32, 48}).orElseThrow());
        assertTrue(ImageLayout.of(new long[] {10}).isEmpty());
        assertEquals(new ImageLayout(64, 64, 4, false), ImageLayout.of(new long[] {64, 64, 4}).orElseThrow());
        assertEquals(new ImageLayout(64, 32, 4, true), ImageLayout.of(new long[] {4, 64, 32}).orElseThrow());
        assertTrue(ImageLayout.of(new long[] {224, 224, 5}).isEmpty());
        assertTrue(ImageLayout.of(new long[] {-1, -1, 3}).isEmpty());
    }

    @Test
    void channelsLastRgbIsTheResizedPixelsAsTheyAre() {
        assertTrue(ImageLayout.rgb(1, 2).isRgbChannelsLast());
        assertArrayEquals(RGB, rearranged(ImageLayout.rgb(1, 2)));
    }

    @Test
    void channelsFirstPutsEachColourPlaneTogether() {
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, rearranged(new ImageLayout(1, 2, 3, true)));
    }

    @Test
    void grayscaleUsesPilLumaWeights() {
        float[] out = rearranged(new ImageLayout(1, 2, 1, false));
        assertArrayEquals(new float[] {0.299f + 2 * 0.587f + 3 * 0.114f, 4 * 0.299f + 5 * 0.587f + 6 * 0.114f}, out,
                1e-6f);
    }

    @Test
    void aFourthChannelIsOpaqueAlpha() {
        assertArrayEquals(new float[] {1, 2, 3, 9, 4, 5, 6, 9}, rearranged(new ImageLayout(1, 2, 4, false)));
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6, 9, 9}, rearranged(new ImageLayout(1, 2, 4, true)));
    }

    /**
     * Grayscale and channels-first models get the same pixels as RGB ones, rearranged, through reused arrays:
     * decoding twice into one array gives the same tensor, and it matches rearranging the RGB tensor.
     */
    @Test
    void thePreprocessorLaysOutEveryLayoutFromTheSameResizedPixels() throws Exception {
        byte[] jpeg = SampleImage.jpeg();
        float[] rgb = new ImagePreprocessor(32, 24, Scaling.UNIT, 1_000_000).toTensor(jpeg);
        for (ImageLayout layout : new ImageLayout[] {new ImageLayout(32, 24, 1, false),
                new ImageLayout(32, 24, 3, true), new ImageLayout(32, 24, 1, true),
                new ImageLayout(32, 24, 4, false)}) {
            ImagePreprocessor preprocessor = new ImagePreprocessor(layout, Scaling.UNIT, 1_000_000,
                    JpegScaling.EXACT, 1);
            float[] expected = new float[layout.itemSize()];
            layout.rearrange(rgb, expected, 1f);
            float[] into = new float[layout.itemSize()];
            preprocessor.toTensor(jpeg, into);
            assertArrayEquals(expected, into, layout.toString());
            preprocessor.toTensor(jpeg, into);
            assertArrayEquals(expected, into, layout + ", second time");
        }
    }

    private static float[] rearranged(ImageLayout layout) {
        float[] out = new float[layout.itemSize()];
        layout.rearrange(RGB, out, 9);
        return out;
    }
}

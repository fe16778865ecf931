package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
        assertTrue(ImageLayout.of(new long[] {224, 224, 5}).isEmpty());
        assertTrue(ImageLayout.of(new long[] {-1, -1, 3}).isEmpty());
    }

    @Test
    void channelsLastRgbIsPassedThroughUntouched() {
        Preprocessor rgb = image -> RGB.clone();
        assertSame(rgb, new ImageLayout(1, 2, 3, false).adapt(rgb));
    }

    @Test
    void channelsFirstPutsEachColourPlaneTogether() throws Exception {
        float[] out = new ImageLayout(1, 2, 3, true).adapt(image -> RGB.clone()).toTensor(new byte[0]);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, out);
    }

    @Test
    void grayscaleUsesPilLumaWeights() throws Exception {
        float[] out = new ImageLayout(1, 2, 1, false).adapt(image -> RGB.clone()).toTensor(new byte[0]);
        assertArrayEquals(new float[] {0.299f + 2 * 0.587f + 3 * 0.114f, 4 * 0.299f + 5 * 0.587f + 6 * 0.114f}, out,
                1e-6f);
    }
}

package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputBuffersTest {

    @Test
    void aReleasedArrayIsHandedOutAgain() {
        InputBuffers buffers = new InputBuffers(224 * 224 * 3);
        float[] first = buffers.acquire();
        assertEquals(224 * 224 * 3, first.length);
        buffers.release(first);
        assertSame(first, buffers.acquire());
        assertNotSame(first, buffers.acquire(), "an array is handed to one holder at a time");
    }

    @Test
    void idleArraysAreBoundedByMemoryNotByPeakConcurrency() {
        int itemSize = 224 * 224 * 3;
        InputBuffers buffers = new InputBuffers(itemSize);
        List<float[]> burst = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            burst.add(buffers.acquire());
        }
        burst.forEach(buffers::release);
        assertEquals(InputBuffers.MAX_POOLED_BYTES / (4L * itemSize), buffers.idle());
    }
}

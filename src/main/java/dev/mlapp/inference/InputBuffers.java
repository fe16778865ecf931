package dev.mlapp.inference;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Model-input arrays reused across requests. One item of a 224×224×3 model is 600 KB, above half of G1's default
 * 1 MB region (heaps under 4 GB), so each fresh one is a humongous allocation, placed straight in the old
 * generation. Arrays are kept up to a memory bound (so a burst of concurrency does not pin its peak forever);
 * beyond it they are allocated and dropped as before.
 */
final class InputBuffers {

    /** Keep at most this much in idle arrays; 16 MB is 27 items of a 224×224×3 model. */
    static final long MAX_POOLED_BYTES = 16L << 20;

    private final int itemSize;
    private final ArrayBlockingQueue<float[]> free;

    InputBuffers(int itemSize) {
        this.itemSize = itemSize;
        this.free = new ArrayBlockingQueue<>((int) Math.max(1, MAX_POOLED_BYTES / (4L * Math.max(1, itemSize))));
    }

    /** @return an array of {@code itemSize} floats with arbitrary contents */
    float[] acquire() {
        float[] array = free.poll();
        return array != null ? array : new float[itemSize];
    }

    /** Takes back an array no one reads or writes any more. */
    void release(float[] array) {
        free.offer(array);
    }

    int idle() {
        return free.size();
    }
}

package dev.mlapp.image;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * A few reusable byte arrays for the per-request scratch space of decoding and resizing, so steady traffic does
 * not churn megabyte-sized garbage. Bounded twice: at most {@code maxPooled} arrays are kept, and arrays larger
 * than {@code maxPooledBytes} (one huge upload) are left to the garbage collector instead of being kept forever.
 */
final class BufferPool {

    private final ArrayBlockingQueue<byte[]> free;
    private final int maxPooledBytes;

    BufferPool(int maxPooled, int maxPooledBytes) {
        this.free = new ArrayBlockingQueue<>(maxPooled);
        this.maxPooledBytes = maxPooledBytes;
    }

    /** @return an array of at least {@code size} bytes with arbitrary contents */
    byte[] acquire(int size) {
        for (int tries = free.size(); tries > 0; tries--) {
            byte[] candidate = free.poll();
            if (candidate == null) {
                break;
            }
            if (candidate.length >= size) {
                return candidate;
            }
            // Too small for this request: drop it so the pool's arrays grow towards the typical size.
        }
        return new byte[size];
    }

    void release(byte[] buffer) {
        if (buffer != null && buffer.length <= maxPooledBytes) {
            free.offer(buffer);
        }
    }
}

package dev.mlapp.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Forms batches from the {@link TaskQueue} and hands them to a {@link BatchProcessor} on a fixed set of worker threads.
 *
 * <p>Policy. A free worker takes up to {@code maxBatchSize} of the oldest tasks. Whether it first waits for more
 * depends on the traffic the last batch saw: when that batch held one item (or none ran yet), the server is taken to
 * be idle and the worker starts at once, so a lone request pays no batching delay. When the last batch held {@code n > 1}
 * items, concurrent clients are likely to send about that many again, so the worker waits until {@code min(n,
 * maxBatchSize)} tasks are queued or the oldest has waited {@code batchTimeoutMicros}, whichever comes first. This is
 * TensorFlow Serving's "full or timed out" rule, with the target adapted to the observed concurrency so that a
 * half-full batch does not always wait out the whole timeout. When load falls back to one client, one timeout is paid
 * and the next batch (of 1) switches waiting off again.
 */
final class BatchScheduler implements AutoCloseable {

    private final TaskQueue queue;
    private final BatchProcessor processor;
    private final int maxBatchSize;
    private final long batchTimeoutNanos;
    private final Thread[] workers;
    private volatile int lastBatchSize = 1;

    BatchScheduler(TaskQueue queue, BatchProcessor processor, int workerCount, int maxBatchSize,
                   long batchTimeoutMicros) {
        if (workerCount < 1 || maxBatchSize < 1 || batchTimeoutMicros < 0) {
            throw new IllegalArgumentException("need workers ≥ 1, max batch size ≥ 1 and a timeout ≥ 0, not "
                    + workerCount + ", " + maxBatchSize + ", " + batchTimeoutMicros);
        }
        this.queue = queue;
        this.processor = processor;
        this.maxBatchSize = maxBatchSize;
        this.batchTimeoutNanos = TimeUnit.MICROSECONDS.toNanos(batchTimeoutMicros);
        this.workers = new Thread[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = Thread.ofPlatform().name("batch-worker-" + i).daemon().start(this::work);
        }
    }

    private void work() {
        List<Task> batch = new ArrayList<>(maxBatchSize);
        try {
            while (queue.awaitAny()) {
                int target = Math.min(lastBatchSize, maxBatchSize);
                if (target > 1 && batchTimeoutNanos > 0) {
                    queue.awaitFill(target, batchTimeoutNanos);
                }
                batch.clear();
                int size = queue.drainTo(batch, maxBatchSize);
                if (size == 0) {
                    continue;
                }
                lastBatchSize = size;
                runGuarded(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A processor bug must not kill the worker nor leave a caller waiting forever. */
    private void runGuarded(List<Task> batch) {
        try {
            processor.process(batch);
        } catch (RuntimeException | Error e) {
            for (Task task : batch) {
                task.result().completeExceptionally(e);
            }
        }
    }

    /** Waits (up to 30 s per worker) for the workers to drain the queue, which the caller has closed. */
    @Override
    public void close() {
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

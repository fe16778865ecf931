package dev.mlapp.inference;

import dev.mlapp.model.Model;
import java.util.concurrent.CompletableFuture;

/**
 * Groups concurrent requests into one model run (dynamic micro-batching), after TensorFlow Serving's batching
 * scheduler, in three pieces: a bounded {@link TaskQueue} that refuses at once when full, a {@link BatchScheduler}
 * whose workers decide when a batch is ready, and a {@link BatchRunner} that runs it and answers each caller.
 * See {@link EngineOptions} for the knobs and their trade-offs.
 */
public final class BatchingEngine implements InferenceEngine {

    private final int itemSize;
    private final TaskQueue queue;
    private final BatchScheduler scheduler;
    private final EngineListener listener;

    public BatchingEngine(Model model, EngineOptions options, EngineListener listener) {
        this.itemSize = model.info().inputItemSize();
        this.listener = listener;
        this.queue = new TaskQueue(options.queueCapacity());
        this.scheduler = new BatchScheduler(queue, new BatchRunner(model, listener), options.workers(),
                options.maxBatchSize(), options.batchTimeoutMicros());
    }

    @Override
    public CompletableFuture<Inference> submit(float[] input, long deadlineNanos) {
        if (input.length != itemSize) {
            // Checked here so that one malformed item cannot fail the batch it would have joined.
            throw new IllegalArgumentException("input has " + input.length + " values, the model takes " + itemSize);
        }
        Task task = new Task(input, deadlineNanos, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(task)) {
            listener.rejected();
            throw new OverloadedException("inference queue is full (" + queue.capacity() + " waiting)");
        }
        return task.result();
    }

    @Override
    public int itemSize() {
        return itemSize;
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    /** Refuses new work, lets the workers finish everything already queued, then stops them. */
    @Override
    public void close() {
        queue.close();
        scheduler.close();
    }
}

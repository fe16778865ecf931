package dev.mlapp.inference;

import dev.mlapp.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Groups concurrent requests into one model run (dynamic micro-batching), after TensorFlow Serving's batching
 * scheduler, in three pieces: a {@link TaskQueue}, a {@link BatchScheduler}
 * whose workers decide when a batch is ready, and a {@link BatchRunner} that runs it and answers each caller.
 * See {@link EngineOptions} for the knobs and their trade-offs. The engine takes whatever it is given: how much
 * may be in flight at once is the {@link Classifier}'s admission's decision.
 */
public final class BatchingEngine implements InferenceEngine {

    private final int itemSize;
    private final TaskQueue queue;
    private final BatchScheduler scheduler;

    public BatchingEngine(Model model, EngineOptions options, EngineListener listener) {
        this.itemSize = model.info().inputItemSize();
        this.queue = new TaskQueue();
        this.scheduler = new BatchScheduler(queue, new BatchRunner(model, listener), options.workers(),
                options.maxBatchSize(), options.batchTimeoutMicros());
    }

    @Override
    public List<CompletableFuture<Inference>> submit(List<float[]> inputs, long deadlineNanos) {
        for (float[] input : inputs) {
            if (input.length != itemSize) {
                // Checked here so that one malformed item cannot fail the batch it would have joined.
                throw new IllegalArgumentException("input has " + input.length + " values, the model takes "
                        + itemSize);
            }
        }
        long now = System.nanoTime();
        List<Task> tasks = new ArrayList<>(inputs.size());
        for (float[] input : inputs) {
            tasks.add(new Task(input, deadlineNanos, now, new CompletableFuture<>()));
        }
        if (!queue.offer(tasks)) {
            throw new EngineClosedException();
        }
        return tasks.stream().map(Task::result).toList();
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

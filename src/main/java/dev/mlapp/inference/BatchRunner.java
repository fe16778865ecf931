package dev.mlapp.inference;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one formed batch through the model: drops tasks whose deadline passed (the model never sees them), runs
 * the rest as one session call, and hands each caller its own output row. A model failure fails every task of the
 * batch with the same exception, since no row of a failed run can be trusted.
 */
final class BatchRunner implements BatchProcessor {

    private final Model model;
    private final EngineListener listener;

    BatchRunner(Model model, EngineListener listener) {
        this.model = model;
        this.listener = listener;
    }

    @Override
    public void process(List<Task> batch) {
        long start = System.nanoTime();
        List<Task> live = new ArrayList<>(batch.size());
        List<float[]> inputs = new ArrayList<>(batch.size());
        for (Task task : batch) {
            if (task.expiredAt(start)) {
                listener.deadlineDropped();
                task.result().completeExceptionally(new DeadlineExceededException("request waited "
                        + (start - task.enqueuedNanos()) / 1_000_000 + " ms for the model, past its deadline"));
            } else {
                live.add(task);
                inputs.add(task.input());
            }
        }
        if (live.isEmpty()) {
            return;
        }
        FloatArray out;
        try {
            out = model.predictItems(inputs);
            if (out.batchSize() != live.size()) {
                throw new InferenceException("model returned " + out.batchSize() + " rows for a batch of "
                        + live.size(), null);
            }
        } catch (RuntimeException e) {
            for (Task task : live) {
                task.result().completeExceptionally(e);
            }
            return;
        }
        long runNanos = System.nanoTime() - start;
        listener.batchRan(live.size(), runNanos);
        for (int i = 0; i < live.size(); i++) {
            Task task = live.get(i);
            task.result().complete(new Inference(out.item(i), start - task.enqueuedNanos(), runNanos, live.size()));
        }
    }
}

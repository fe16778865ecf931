package dev.mlapp.inference;

import java.util.List;

/** Runs one batch that the {@link BatchScheduler} formed, and completes every task's future. */
interface BatchProcessor {

    /** Must complete every task of the batch, normally or exceptionally; called by one worker thread at a time per call. */
    void process(List<Task> batch);
}

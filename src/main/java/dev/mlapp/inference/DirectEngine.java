package dev.mlapp.inference;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs each item alone (batch size 1) on a fixed number of worker threads, behind a bounded queue.
 * The simplest correct engine; the batching engine replaces it where throughput matters.
 */
public final class DirectEngine implements InferenceEngine {

    private record Job(float[] input, long deadlineNanos, long submittedNanos, CompletableFuture<Inference> result) {
    }

    private final Model model;
    private final long[] itemShape;
    private final BlockingQueue<Job> queue;
    private final Thread[] workers;
    private volatile boolean closed;

    public DirectEngine(Model model, int workerCount, int queueCapacity) {
        this.model = model;
        long[] shape = model.info().inputShape();
        this.itemShape = new long[shape.length + 1];
        itemShape[0] = 1;
        System.arraycopy(shape, 0, itemShape, 1, shape.length);
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.workers = new Thread[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = Thread.ofPlatform().name("inference-" + i).daemon().start(this::work);
        }
    }

    @Override
    public CompletableFuture<Inference> submit(float[] input, long deadlineNanos) {
        if (closed) {
            throw new OverloadedException("shutting down");
        }
        Job job = new Job(input, deadlineNanos, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw new OverloadedException("inference queue is full (" + queue.size() + " waiting)");
        }
        return job.result();
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    private void work() {
        while (!closed || !queue.isEmpty()) {
            Job job;
            try {
                job = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (job != null) {
                run(job);
            }
        }
    }

    private void run(Job job) {
        long start = System.nanoTime();
        if (start - job.deadlineNanos() > 0) {
            job.result().completeExceptionally(new DeadlineExceededException("request expired in the queue"));
            return;
        }
        try {
            FloatArray out = model.predict(new FloatArray(itemShape, job.input()));
            long end = System.nanoTime();
            job.result().complete(new Inference(out.data(), start - job.submittedNanos(), end - start, 1));
        } catch (RuntimeException e) {
            job.result().completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        closed = true;
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

package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Image bytes in, ranked labels out: admission, preprocessing, the engine, and top-k selection.
 *
 * <p>Admission comes first, and it is the one place that refuses a request for capacity. Decoding a photo costs
 * more CPU than running a small model, so a request refused only at the engine's queue would already have spent
 * that CPU, slowing the admitted ones, and its 503 would come only after the decode. Instead at most
 * {@code queueCapacity} requests are anywhere between here and their answer (decoding, queued or in a batch); the
 * next is refused at once. The engine's queue therefore never holds more than that.
 *
 * <p>Decoding runs on a small pool of platform threads, one per core, not on the caller's thread; that pool is
 * the only bound on decodes at once (each holds a full-size decoded picture). Request threads
 * are virtual, and a virtual thread inside a native decode holds its carrier: with as many carriers as cores, two
 * decodes would stall every other request, including the ones that only need a quick 503.
 */
public final class Classifier implements AutoCloseable {

    private final ImagePreprocessor preprocessor;
    private final InferenceEngine engine;
    private final Labels labels;
    private final long deadlineNanos;
    private final Admission admission;
    private final EngineListener listener;
    private final ExecutorService decoders;
    private final InputBuffers inputs;

    /**
     * @param options       {@link EngineOptions#queueCapacity()} requests are admitted at once (see the class
     *                      comment), each may wait {@link EngineOptions#deadline()}, and one the requests in
     *                      progress would keep waiting longer than {@link EngineOptions#maxQueueDelay()} is refused
     *                      (zero = count only; see {@link Admission})
     * @param decodeThreads images decoded at once: the cores this process may use ({@link CpuLimit})
     */
    public Classifier(ImagePreprocessor preprocessor, InferenceEngine engine, Labels labels, EngineOptions options,
                      int decodeThreads, EngineListener listener) {
        this.preprocessor = preprocessor;
        this.engine = engine;
        this.labels = labels;
        this.deadlineNanos = options.deadline().toNanos();
        this.admission = new Admission(options.queueCapacity(), options.maxQueueDelay());
        this.listener = listener;
        this.inputs = new InputBuffers(engine.itemSize());
        this.decoders = Executors.newFixedThreadPool(decodeThreads,
                Thread.ofPlatform().name("preprocess-", 0).daemon().factory());
    }

    /**
     * @throws ImageException             the bytes are not a usable image
     * @throws OverloadedException        admission refused the request: the replica is at capacity
     * @throws EngineClosedException      the classifier was closed (the server is shutting down)
     * @throws DeadlineExceededException  the request waited too long for the model
     * @throws dev.mlapp.model.InferenceException TensorFlow failed
     */
    public Prediction classify(byte[] image, int k) throws ImageException {
        long admitted = admit();
        float[] input = inputs.acquire();
        try {
            long start = System.nanoTime();
            long preprocessNanos = preprocess(() -> {
                long t0 = System.nanoTime();
                preprocessor.toTensor(image, input);
                return System.nanoTime() - t0;
            });
            Inference inference = await(engine.submit(input, start + deadlineNanos));
            return new Prediction(topK(inference.output(), k), preprocessNanos, inference.queueNanos(),
                    inference.runNanos(), inference.batchSize(), inference.output());
        } finally {
            // Every path here has the engine done with the array: its future completed, or submit threw.
            inputs.release(input);
            admission.release(admitted);
        }
    }

    /**
     * Runs items that are already model inputs (a client sent the tensor) through the same admission and engine as
     * images: each item is admitted on its own, all are submitted before any is awaited so they can share a batch,
     * and if one is refused none runs.
     *
     * @param items each of {@link InferenceEngine#itemSize()} floats; the engine reads them until their answers
     * @throws OverloadedException       admission or the engine's queue refused an item
     * @throws DeadlineExceededException an item waited too long for the model
     */
    public List<Inference> infer(List<float[]> items) {
        for (float[] item : items) {
            if (item.length != engine.itemSize()) {
                throw new IllegalArgumentException("an item has " + item.length + " values, the model takes "
                        + engine.itemSize());
            }
        }
        long[] admitted = new long[items.size()];
        int count = 0;
        try {
            for (; count < items.size(); count++) {
                admitted[count] = admit();
            }
            long deadline = System.nanoTime() + deadlineNanos;
            List<java.util.concurrent.CompletableFuture<Inference>> futures = new ArrayList<>(items.size());
            try {
                for (float[] item : items) {
                    futures.add(engine.submit(item, deadline));
                }
            } catch (OverloadedException e) {
                listener.rejected();
                futures.forEach(f -> f.cancel(false));
                throw e;
            }
            List<Inference> results = new ArrayList<>(items.size());
            for (var future : futures) {
                results.add(await(future));
            }
            return results;
        } finally {
            for (int i = 0; i < count; i++) {
                admission.release(admitted[i]);
            }
        }
    }

    /** @return the admission time for {@link Admission#release(long)} */
    private long admit() {
        long admitted = admission.tryAdmit();
        if (admitted < 0) {
            listener.rejected();
            throw new OverloadedException(admission.budgetNanos() > 0
                    ? "the requests in progress would keep this one waiting more than "
                            + admission.budgetNanos() / 1_000_000 + " ms (at most " + admission.maxInFlight() + ")"
                    : admission.maxInFlight() + " requests already in progress");
        }
        return admitted;
    }

    /**
     * Runs {@code decode} on the decoding pool and returns its result (the time it took). Returns or throws only
     * once the decode has finished, even when interrupted: it writes into a pooled array the caller then releases.
     */
    private long preprocess(Callable<Long> decode) throws ImageException {
        Future<Long> task;
        try {
            task = decoders.submit(decode);
        } catch (RejectedExecutionException e) {
            throw new EngineClosedException(); // closed while this request was being admitted
        }
        try {
            return task.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case ImageException image -> throw image;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IllegalStateException(e.getCause());
            }
        } catch (InterruptedException e) {
            awaitUninterruptibly(task);
            Thread.currentThread().interrupt();
            throw new DeadlineExceededException("interrupted while preprocessing");
        }
    }

    private static void awaitUninterruptibly(Future<?> task) {
        while (!task.isDone()) {
            try {
                task.get();
            } catch (InterruptedException again) {
                // keep waiting; the caller restores the flag
            } catch (ExecutionException | java.util.concurrent.CancellationException done) {
                return;
            }
        }
    }

    private static Inference await(java.util.concurrent.CompletableFuture<Inference> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        } catch (CancellationException e) {
            throw new DeadlineExceededException("request was cancelled");
        }
    }

    List<Prediction.ScoredLabel> topK(float[] probabilities, int k) {
        List<Prediction.ScoredLabel> ranked = new ArrayList<>();
        for (int i : ranked(probabilities, k)) {
            ranked.add(new Prediction.ScoredLabel(labels.get(i), probabilities[i]));
        }
        return ranked;
    }

    /** The indices of the {@code k} highest scores (at least one, at most all), highest first. */
    public static int[] ranked(float[] scores, int k) {
        int count = Math.min(Math.max(k, 1), scores.length);
        int[] ranked = new int[count];
        boolean[] taken = new boolean[scores.length];
        for (int r = 0; r < count; r++) {
            int best = -1;
            for (int i = 0; i < scores.length; i++) {
                if (!taken[i] && (best < 0 || scores[i] > scores[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            ranked[r] = best;
        }
        return ranked;
    }

    public Labels labels() {
        return labels;
    }

    public InferenceEngine engine() {
        return engine;
    }

    /** Finishes queued work and releases the engine's threads and the preprocessor's JPEG decoder. */
    @Override
    public void close() {
        decoders.shutdown();
        engine.close();
        preprocessor.close();
    }
}

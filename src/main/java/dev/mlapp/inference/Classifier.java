package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * A request's items in (encoded images, or tensors that already are model inputs), ranked labels out: admission,
 * preprocessing, the engine, and top-k selection.
 *
 * <p>Admission comes first, and it is the one place that refuses a request for capacity. Decoding a photo costs
 * more CPU than running a small model, so a request refused only at the engine's queue would already have spent
 * that CPU, slowing the admitted ones, and its 503 would come only after the decode. Instead at most
 * {@code queueCapacity} items are anywhere between here and their answer (decoding, queued or in a batch); a
 * request that would go beyond is refused at once, all its items. The engine's queue therefore never holds more
 * than that.
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
    private final InputBuffers buffers;

    /**
     * @param options       {@link EngineOptions#queueCapacity()} items are admitted at once (see the class
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
        this.buffers = new InputBuffers(engine.itemSize());
        this.decoders = Executors.newFixedThreadPool(decodeThreads,
                Thread.ofPlatform().name("preprocess-", 0).daemon().factory());
    }

    /** One image: {@link #classify(List, int)} of one item. */
    public Prediction classify(byte[] image, int k) throws ImageException {
        return classify(List.of(Item.image(image)), k).getFirst();
    }

    /**
     * Classifies one request's items, images and tensors alike, as one: they are admitted together (all or none,
     * before any is decoded), the images are decoded on the pool, and all are queued at once, so up to the
     * largest batch they share one model run.
     *
     * @return one prediction per item, in order
     * @throws ImageException             an image is not usable; none of the items ran
     * @throws OverloadedException        admission refused the request: the replica is at capacity
     * @throws EngineClosedException      the classifier was closed (the server is shutting down)
     * @throws DeadlineExceededException  an item waited too long for the model
     * @throws IllegalArgumentException   a tensor of the wrong size, or more items than {@link #maxItems()}
     * @throws dev.mlapp.model.InferenceException TensorFlow failed
     */
    public List<Prediction> classify(List<Item> items, int k) throws ImageException {
        check(items);
        long admitted = admit(items.size());
        float[][] inputs = new float[items.size()][];
        try {
            long start = System.nanoTime();
            long[] preprocessNanos = preprocess(items, inputs);
            List<Inference> inferences = run(inputs, start + deadlineNanos);
            List<Prediction> predictions = new ArrayList<>(items.size());
            for (int i = 0; i < inferences.size(); i++) {
                Inference inference = inferences.get(i);
                predictions.add(new Prediction(topK(inference.output(), k), preprocessNanos[i],
                        inference.queueNanos(), inference.runNanos(), inference.batchSize(), inference.output()));
            }
            return predictions;
        } finally {
            // Every path here has the engine and the decoders done with the arrays: each future completed.
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] != null && items.get(i) instanceof Item.EncodedImage) {
                    buffers.release(inputs[i]);
                }
            }
            admission.release(admitted, items.size());
        }
    }

    /** The most items one request may hold: what admission lets in at once. */
    public int maxItems() {
        return admission.maxInFlight();
    }

    private void check(List<Item> items) {
        if (items.size() > admission.maxInFlight()) {
            throw new IllegalArgumentException("a request of " + items.size() + " items; at most "
                    + admission.maxInFlight() + " are admitted at once");
        }
        for (Item item : items) {
            if (item instanceof Item.Tensor(float[] values) && values.length != engine.itemSize()) {
                throw new IllegalArgumentException("an item has " + values.length + " values, the model takes "
                        + engine.itemSize());
            }
        }
    }

    /** @return the admission time for {@link Admission#release(long, int)} */
    private long admit(int items) {
        long admitted = admission.tryAdmit(items);
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
     * Fills {@code inputs}: a tensor as it is, an image decoded into a pooled array on the decoding pool. Returns
     * each item's decoding time, or throws, only once every decode has finished, even when interrupted: they write
     * into arrays the caller then releases.
     */
    private long[] preprocess(List<Item> items, float[][] inputs) throws ImageException {
        List<Future<Long>> decodes = new ArrayList<>(items.size());
        boolean closed = false;
        for (int i = 0; i < items.size() && !closed; i++) {
            switch (items.get(i)) {
                case Item.Tensor(float[] values) -> {
                    inputs[i] = values;
                    decodes.add(null);
                }
                case Item.EncodedImage(byte[] bytes) -> {
                    float[] input = buffers.acquire();
                    inputs[i] = input;
                    try {
                        decodes.add(decoders.submit(() -> {
                            long t0 = System.nanoTime();
                            preprocessor.toTensor(bytes, input);
                            return System.nanoTime() - t0;
                        }));
                    } catch (RejectedExecutionException e) {
                        closed = true; // closed while this request was being admitted
                    }
                }
            }
        }
        long[] nanos = new long[items.size()];
        Throwable failure = closed ? new EngineClosedException() : null;
        boolean interrupted = false;
        for (int i = 0; i < decodes.size(); i++) {
            Future<Long> decode = decodes.get(i);
            while (decode != null) {
                try {
                    nanos[i] = decode.get();
                    break;
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : e.getCause();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting for the decode; the flag is restored below
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new DeadlineExceededException("interrupted while preprocessing");
        }
        switch (failure) {
            case null -> {
                return nanos;
            }
            case ImageException image -> throw image;
            case RuntimeException runtime -> throw runtime;
            case Error error -> throw error;
            default -> throw new IllegalStateException(failure);
        }
    }

    /** Queues the items together and waits for every answer; fails with the first failure once all have ended. */
    private List<Inference> run(float[][] inputs, long deadlineNanos) {
        List<CompletableFuture<Inference>> futures = engine.submit(List.of(inputs), deadlineNanos);
        List<Inference> results = new ArrayList<>(futures.size());
        RuntimeException failure = null;
        for (CompletableFuture<Inference> future : futures) {
            try {
                results.add(future.join());
            } catch (CompletionException e) {
                failure = failure != null ? failure
                        : e.getCause() instanceof RuntimeException cause ? cause : e;
            } catch (CancellationException e) {
                failure = failure != null ? failure : new DeadlineExceededException("request was cancelled");
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
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

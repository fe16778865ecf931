package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImageLayout;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.SampleImage;
import dev.mlapp.image.Scaling;
import dev.mlapp.image.TfImageDecoder;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Labels;
import dev.mlapp.model.SessionOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class ClassifierTest {

    @Test
    void requestsBeyondTheAdmissionLimitAreRefusedBeforeDecoding() throws Exception {
        byte[] jpeg = SampleImage.jpeg();
        try (Gated gated = new Gated(2)) {
            Classifier classifier = gated.classifier;
            CompletableFuture<Prediction> first = CompletableFuture.supplyAsync(() -> classify(classifier, jpeg));
            gated.model.awaitHeldRun();
            CompletableFuture<Prediction> second = CompletableFuture.supplyAsync(() -> classify(classifier, jpeg));
            while (gated.decodes.get() < 2) {
                Thread.sleep(5);
            }

            assertThrows(OverloadedException.class, () -> classifier.classify(jpeg, 3));
            assertEquals(2, gated.decodes.get(), "the refused request was never decoded");
            assertEquals(1, gated.rejected.get());

            gated.model.release();
            Prediction a = first.get(60, TimeUnit.SECONDS);
            Prediction b = second.get(60, TimeUnit.SECONDS);
            assertEquals(5, a.topK().size());
            assertEquals(a.best(), b.best(), "same image, same answer");
            assertTrue(a.preprocessNanos() > 0);
            assertEquals(5, classifier.classify(jpeg, 5).topK().size(), "admission frees up after answers");
        }
    }

    /**
     * A request of several images takes its places in admission all at once or not at all: one that does not fit
     * is refused whole, before any of its images is decoded, and one that fits has its images queued together,
     * so they share a model run.
     */
    @Test
    void aRequestOfSeveralImagesIsAdmittedAsOneAndSharesABatch() throws Exception {
        byte[] jpeg = SampleImage.jpeg();
        try (Gated gated = new Gated(3)) {
            Classifier classifier = gated.classifier;
            CompletableFuture<Prediction> lone = CompletableFuture.supplyAsync(() -> classify(classifier, jpeg));
            gated.model.awaitHeldRun(); // one place of three taken, until released

            List<Item> three = List.of(Item.image(jpeg), Item.image(jpeg), Item.image(jpeg));
            assertThrows(OverloadedException.class, () -> classifier.classify(three, 3));
            assertEquals(1, gated.decodes.get(), "none of the refused request's images was decoded");
            assertEquals(1, gated.rejected.get(), "one refusal for the whole request");

            CompletableFuture<List<Prediction>> two = CompletableFuture.supplyAsync(() -> {
                try {
                    return classifier.classify(List.of(Item.image(jpeg), Item.image(jpeg)), 3);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (classifier.engine().queueDepth() < 2) {
                assertFalse(two.isDone(), "the two images fit and are admitted: " + two);
                Thread.sleep(5);
            }
            gated.model.release();
            assertEquals(1, lone.get(60, TimeUnit.SECONDS).batchSize());
            for (Prediction p : two.get(60, TimeUnit.SECONDS)) {
                assertEquals(2, p.batchSize(), "the request's two images ran together");
                // Same image, same answer, to float32 rounding: on a CPU without AVX-512, oneDNN's kernels sum a
                // batch of two in another order than a batch of one (the last digit differed, 0.26207626/23).
                assertEquals(lone.get().best().label(), p.best().label(), "same image, same answer");
                assertEquals(lone.get().best().probability(), p.best().probability(), 1e-6, "same image");
            }
        }
    }

    /**
     * The demo model behind a {@link GatedModel} (its first run waits for the test), with a classifier of one
     * worker admitting {@code capacity} items, counting decodes and refusals.
     */
    private static final class Gated implements AutoCloseable {

        final GatedModel model = new GatedModel(ModelLoader.load(null, new SessionOptions(1, 1)));
        final AtomicInteger decodes = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();
        private final TfImageDecoder counting = new TfImageDecoder() {
            @Override
            public Pixels decode(byte[] image, int scale, IntFunction<byte[]> buffers) throws ImageException {
                decodes.incrementAndGet();
                return super.decode(image, scale, buffers);
            }
        };
        final Classifier classifier;

        Gated(int capacity) {
            ImagePreprocessor preprocessor = new ImagePreprocessor(ImageLayout.rgb(224, 224), Scaling.UNIT,
                    40_000_000, counting, JpegScaling.EXACT, 2);
            EngineOptions options = EngineOptions.forCores(1).withQueue(capacity, Duration.ofMinutes(5));
            EngineListener listener = new EngineListener() {
                @Override
                public void rejected() {
                    rejected.incrementAndGet();
                }
            };
            classifier = new Classifier(preprocessor, options.createEngine(model, listener),
                    Labels.forModel(null, 11), options, 2, listener);
        }

        @Override
        public void close() {
            model.release();
            classifier.close();
            model.close();
            counting.close();
        }
    }

    /** The decode pool is the only bound on decodes at once: each holds a full-size decoded picture. */
    @Test
    void noMoreDecodesRunAtOnceThanTheDecodePoolHasThreads() throws Exception {
        byte[] jpeg = SampleImage.jpeg();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        EngineOptions options = EngineOptions.forCores(1);
        try (TfImageDecoder slow = new TfImageDecoder() {
                @Override
                public Pixels decode(byte[] image, int scale, IntFunction<byte[]> buffers) throws ImageException {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(30);
                        return super.decode(image, scale, buffers);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        running.decrementAndGet();
                    }
                }
            };
             dev.mlapp.model.Model model = ModelLoader.load(null, options.sessionOptions())) {
            ImagePreprocessor preprocessor = new ImagePreprocessor(ImageLayout.rgb(224, 224), Scaling.UNIT,
                    40_000_000, slow, JpegScaling.EXACT, 2);
            try (Classifier classifier = new Classifier(preprocessor, options.createEngine(model),
                    Labels.forModel(null, 11), options, 2, EngineListener.NONE);
                 var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                java.util.List<CompletableFuture<Prediction>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    answers.add(CompletableFuture.supplyAsync(() -> classify(classifier, jpeg), clients));
                }
                for (CompletableFuture<Prediction> answer : answers) {
                    assertEquals(5, answer.get(2, TimeUnit.MINUTES).topK().size());
                }
            }
        }
        assertEquals(2, most.get(), "twelve concurrent requests, two decode threads");
    }

    /**
     * Input arrays are reused across requests: under concurrency, with batching, each request must still get the
     * answer for its own picture (a reused array released too early would hand one request another's pixels).
     */
    @Test
    void reusedInputArraysNeverMixRequests() throws Exception {
        byte[][] pictures = {SampleImage.jpeg(), dev.mlapp.testing.TestImages.picture("png", 90, 300)};
        EngineOptions options = EngineOptions.forCores(2).withBatching(4, 2000);
        try (dev.mlapp.model.Model model = new SlowModel(ModelLoader.load(null, options.sessionOptions()));
             Classifier classifier = new Classifier(new ImagePreprocessor(224, 224, Scaling.UNIT, 40_000_000),
                     options.createEngine(model), Labels.forModel(null, 11), options, 2, EngineListener.NONE)) {
            java.util.Map<String, Float>[] expected = new java.util.Map[2];
            for (int i = 0; i < 2; i++) {
                expected[i] = probabilities(classifier.classify(pictures[i], 11));
            }
            float apart = 0;
            for (String label : expected[0].keySet()) {
                apart = Math.max(apart, Math.abs(expected[0].get(label) - expected[1].get(label)));
            }
            assertTrue(apart > 1e-3, "the two pictures must score differently for the test to see a mix-up: " + apart);

            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
                java.util.List<java.util.concurrent.Future<float[]>> answers = new java.util.ArrayList<>();
                for (int r = 0; r < 120; r++) {
                    int which = r % 2;
                    answers.add(pool.submit(() -> {
                        java.util.Map<String, Float> got = probabilities(classifier.classify(pictures[which], 11));
                        float worst = 0;
                        for (String label : got.keySet()) {
                            worst = Math.max(worst, Math.abs(got.get(label) - expected[which].get(label)));
                        }
                        return new float[] {which, worst};
                    }));
                }
                for (var answer : answers) {
                    float[] result = answer.get(2, TimeUnit.MINUTES);
                    assertTrue(result[1] < 1e-5, "picture " + (int) result[0] + " scored off by " + result[1]);
                }
            }
        }
    }

    /** Holds each batch 10 ms before the model reads it, so queued inputs wait while other requests decode. */
    private static final class SlowModel extends dev.mlapp.testing.ForwardingModel {

        SlowModel(dev.mlapp.model.Model model) {
            super(model);
        }

        @Override
        public dev.mlapp.model.FloatArray predictItems(java.util.List<float[]> items) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.predictItems(items);
        }
    }

    private static java.util.Map<String, Float> probabilities(Prediction prediction) {
        java.util.Map<String, Float> byLabel = new java.util.HashMap<>();
        prediction.topK().forEach(scored -> byLabel.put(scored.label(), scored.probability()));
        return byLabel;
    }

    private static Prediction classify(Classifier classifier, byte[] jpeg) {
        try {
            return classifier.classify(jpeg, 5);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

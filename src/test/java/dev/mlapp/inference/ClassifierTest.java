package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.Scaling;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Labels;
import dev.mlapp.model.SessionOptions;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClassifierTest {

    static byte[] sampleJpeg() throws IOException {
        try (InputStream in = ClassifierTest.class.getClassLoader().getResourceAsStream("samples/sample.jpg")) {
            return in.readAllBytes();
        }
    }

    @Test
    void requestsBeyondTheAdmissionLimitAreRefusedBeforeDecoding() throws Exception {
        byte[] jpeg = sampleJpeg();
        GatedModel model = new GatedModel(ModelLoader.load(null, new SessionOptions(1, 1)));
        AtomicInteger decodes = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        ImagePreprocessor java = new ImagePreprocessor(224, 224, Scaling.UNIT, 40_000_000);
        Preprocessor counting = image -> {
            decodes.incrementAndGet();
            return java.toTensor(image);
        };
        EngineOptions options = EngineOptions.forCores(1).withQueue(2, Duration.ofMinutes(5));
        EngineListener listener = new EngineListener() {
            @Override
            public void rejected() {
                rejected.incrementAndGet();
            }
        };
        try (Classifier classifier = new Classifier(counting, options.createEngine(model, listener),
                Labels.forModel(null, 11), options.deadline(), options.queueCapacity(), Duration.ZERO, listener)) {
            CompletableFuture<Prediction> first = CompletableFuture.supplyAsync(() -> classify(classifier, jpeg));
            model.awaitHeldRun();
            CompletableFuture<Prediction> second = CompletableFuture.supplyAsync(() -> classify(classifier, jpeg));
            while (decodes.get() < 2) {
                Thread.sleep(5);
            }

            assertThrows(OverloadedException.class, () -> classifier.classify(jpeg, 3));
            assertEquals(2, decodes.get(), "the refused request was never decoded");
            assertEquals(1, rejected.get());

            model.release();
            Prediction a = first.get(60, TimeUnit.SECONDS);
            Prediction b = second.get(60, TimeUnit.SECONDS);
            assertEquals(5, a.topK().size());
            assertEquals(a.best(), b.best(), "same image, same answer");
            assertTrue(a.preprocessNanos() > 0);
            assertEquals(5, classifier.classify(jpeg, 5).topK().size(), "admission frees up after answers");
        } finally {
            model.close();
        }
    }

    private static Prediction classify(Classifier classifier, byte[] jpeg) {
        try {
            return classifier.classify(jpeg, 5);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

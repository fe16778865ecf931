package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.SampleImage;
import dev.mlapp.model.EmbeddedModel;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.SessionOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What the host holds and reports, from loading to close, with the embedded model and real TensorFlow. */
class ModelHostTest {

    private final List<ServingModel> announced = new CopyOnWriteArrayList<>();

    @Test
    void startsLoadingThenServesAndEachRequestKeepsTheModelItHolds() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        InstrumentedModel model = demo();
        ModelHost host = startGated(go, model);
        ModelHost.State starting = host.holdIfReady();
        assertEquals(ModelHost.Phase.STARTING, starting.phase());
        assertNull(starting.model(), "nothing to hold while loading");
        assertEquals(0, host.queueDepth());
        assertEquals(Map.of(), host.versions(), "one model, no versions");

        go.countDown();
        ServingModel loaded = host.awaitLoaded(Duration.ofMinutes(2));
        assertEquals(List.of(loaded), announced, "told once, when ready");
        assertEquals(ModelHost.SINGLE_VERSION, loaded.version());
        ModelHost.State ready = host.holdIfReady();
        assertEquals(new ModelHost.State(ModelHost.Phase.READY, "ok", loaded), ready);

        host.close();
        assertEquals(0, model.closes.get(), "a request still holds the model");
        List<Prediction> answer = ready.model().classify(List.of(Item.image(SampleImage.jpeg())), 1);
        assertEquals(11, answer.getFirst().output().length);
        ready.model().close();
        assertEquals(1, model.closes.get(), "released with the last hold");
    }

    @Test
    void aModelThatCannotBeLoadedLeavesTheHostFailedWithTheReason() {
        ModelLoadException missing = new ModelLoadException("model file /models/ml-lb.h5 does not exist");
        try (ModelHost host = ModelHost.loadInBackground(() -> {
            throw missing;
        }, ModelPreparerTest.OPTIONS, EngineListener.NONE, announced::add)) {
            assertSame(missing, assertThrows(ModelLoadException.class, () -> host.awaitLoaded(Duration.ofMinutes(1))));
            assertEquals(new ModelHost.State(ModelHost.Phase.FAILED, missing.getMessage(), null), host.holdIfReady());
            assertEquals(List.of(), announced);
        }
    }

    @Test
    void aRunTimeFailureTakesTheHostOutOfRotationUntilTheSelfCheckPasses() throws Exception {
        InstrumentedModel model = demo();
        try (ModelHost host = ModelHost.loadInBackground(() -> model, ModelPreparerTest.OPTIONS,
                EngineListener.NONE, announced::add)) {
            ServingModel served = host.awaitLoaded(Duration.ofMinutes(2));
            model.broken.set(true);
            try (ServingModel held = host.holdIfReady().model()) {
                assertThrows(InferenceException.class,
                        () -> held.classify(List.of(Item.image(SampleImage.jpeg())), 1));
            }
            ModelHost.State failing = host.holdIfReady();
            assertEquals(ModelHost.Phase.FAILING, failing.phase());
            assertSame(served, failing.model(), "the model is kept for the self-check");

            int runs = model.runs.get();
            Thread.sleep(ModelHost.SELF_CHECK_INTERVAL.multipliedBy(2).plusMillis(500).toMillis());
            assertTrue(model.runs.get() > runs, "the self-check ran the sample again");
            assertEquals(ModelHost.Phase.FAILING, host.state().phase(), "still failing while the model does");

            model.broken.set(false);
            long deadline = System.nanoTime() + ModelHost.SELF_CHECK_INTERVAL.multipliedBy(5).toNanos();
            while (!host.state().isReady()) {
                assertTrue(System.nanoTime() < deadline, "no recovery: " + host.state());
                Thread.sleep(50);
            }
            assertSame(served, host.state().model());
        }
    }

    @Test
    void closingWhileTheModelLoadsReleasesItAndFailsTheWait() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        InstrumentedModel model = demo();
        ModelHost host = startGated(go, model);
        host.close();
        go.countDown();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> host.awaitLoaded(Duration.ofMinutes(2)));
        assertEquals("shut down while loading the model", e.getMessage());
        assertEquals(1, model.closes.get());
        assertEquals(List.of(), announced, "never ready");
        assertFalse(host.state().isReady());
    }

    private static InstrumentedModel demo() {
        return new InstrumentedModel(EmbeddedModel.load(SessionOptions.TENSORFLOW_DEFAULTS));
    }

    /** A host loading {@code model}, which its loader hands over once {@code go} opens. */
    private ModelHost startGated(CountDownLatch go, Model model) {
        Supplier<Model> gated = () -> {
            try {
                if (!go.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never let go");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return model;
        };
        return ModelHost.loadInBackground(gated, ModelPreparerTest.OPTIONS, EngineListener.NONE, announced::add);
    }
}

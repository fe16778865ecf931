package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.SampleImage;
import dev.mlapp.model.EmbeddedModel;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.SessionOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Preparing a model for traffic with real TensorFlow: warmed up when it is handed over, released when it fails. */
class ModelPreparerTest {

    static final ClassifierOptions OPTIONS = new ClassifierOptions(null, null, null, JpegScaling.EXACT, 40_000_000L,
            EngineOptions.DEFAULTS, Duration.ZERO);

    private final ModelPreparer preparer = new ModelPreparer(OPTIONS, EngineListener.NONE);

    @Test
    void handsOverAModelOfTheGivenVersionAlreadyWarmedUp() throws Exception {
        InstrumentedModel model = new InstrumentedModel(EmbeddedModel.load(SessionOptions.TENSORFLOW_DEFAULTS));
        try (ServingModel served = preparer.prepare(() -> model, "7", null, m -> { })) {
            assertEquals("7", served.version());
            assertEquals(ModelPreparer.WARM_UP_RUNS, model.runs.get(), "the sample ran before anyone asked");
            assertEquals(11, served.labels().size());
            assertTrue(served.loadMillis() > 0);
            assertTrue(served.calibration().isEmpty(), "calibration is off");
            assertEquals(11, served.classify(List.of(Item.image(SampleImage.jpeg())), 3).getFirst().output().length);
        }
        assertEquals(1, model.closes.get(), "the last hold released the model");
    }

    @Test
    void aModelThatTakesNoImageIsRefusedAndReleased() {
        InstrumentedModel echo = new InstrumentedModel(new EchoModel());
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> preparer.prepare(() -> echo, "1", null, m -> { }));
        assertTrue(e.getMessage().contains("[4]"), e.getMessage());
        assertEquals(1, echo.closes.get());
    }

    @Test
    void aModelThatFailsItsWarmUpIsReleasedAndTheFailureRethrown() {
        InstrumentedModel model = new InstrumentedModel(EmbeddedModel.load(SessionOptions.TENSORFLOW_DEFAULTS));
        model.broken.set(true);
        AtomicInteger toldHost = new AtomicInteger();
        assertThrows(InferenceException.class,
                () -> preparer.prepare(() -> model, "1", null, m -> toldHost.incrementAndGet()));
        assertEquals(1, model.closes.get());
        assertEquals(0, toldHost.get(), "a model that never served is no run-time failure");
    }

    @Test
    void aLoaderFailureReachesTheCallerUnchanged() {
        ModelLoadException refused = new ModelLoadException("model file /models/x.h5 does not exist");
        assertSame(refused, assertThrows(ModelLoadException.class, () -> preparer.prepare(() -> {
            throw refused;
        }, "1", null, m -> { })));
    }

    @Test
    void theSelfCheckRunsTheSampleAndFailsWhileTheModelDoes() throws Exception {
        InstrumentedModel model = new InstrumentedModel(EmbeddedModel.load(SessionOptions.TENSORFLOW_DEFAULTS));
        try (ServingModel served = preparer.prepare(() -> model, "1", null, m -> { })) {
            int before = model.runs.get();
            ModelPreparer.selfCheck(served);
            assertEquals(before + 1, model.runs.get());
            model.broken.set(true);
            assertThrows(InferenceException.class, () -> ModelPreparer.selfCheck(served));
        }
    }
}

package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.SampleImage;
import dev.mlapp.image.Scaling;
import dev.mlapp.model.EmbeddedModel;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.SessionOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that took a version before a swap finishes on it: the host's swap gives up only the host's own hold,
 * and the old version's engine keeps running until the last request holding it lets go.
 */
class ModelHostVersionsTest {

    @Test
    void aHeldVersionKeepsAnsweringAfterTheSwapAndIsReleasedWhenLetGo(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("m");
        stageDemo(Files.createDirectories(models.resolve("1")));
        ClassifierOptions options = new ClassifierOptions(models, null, Scaling.UNIT, JpegScaling.EXACT, 40_000_000L,
                EngineOptions.DEFAULTS, Duration.ZERO);
        try (ModelHost host = ModelHost.serveVersions(models,
                p -> ModelLoader.load(p, SessionOptions.TENSORFLOW_DEFAULTS), options, EngineListener.NONE, m -> { },
                Duration.ofMillis(50))) {
            host.awaitLoaded(Duration.ofMinutes(2));
            ModelHost.State before = host.holdIfReady();
            ServingModel v1 = before.model();
            assertEquals("1", v1.version());

            Path staging = Files.createDirectories(tmp.resolve("staging"));
            stageDemo(staging);
            Files.move(staging, models.resolve("2"), StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!host.state().model().version().equals("2")) {
                assertTrue(System.nanoTime() < deadline, "version 2 never served");
                Thread.sleep(50);
            }
            assertEquals(Map.of("2", "serving", "1", "retired"), host.versions());

            // The request that holds version 1 still gets its answers from version 1's engine.
            assertEquals(11, v1.classify(List.of(Item.image(SampleImage.jpeg())), 3).getFirst().output().length);
            v1.close(); // the request ends: the last hold on version 1, which is released now
            assertFalse(v1.tryHold(), "released: no request can take version 1 any more");
            ModelHost.State after = host.holdIfReady();
            assertEquals("2", after.model().version(), "new requests get version 2");
            after.model().close();
        }
    }

    private static void stageDemo(Path dir) throws Exception {
        try (InputStream demo = EmbeddedModel.class.getClassLoader().getResourceAsStream(EmbeddedModel.RESOURCE)) {
            Files.copy(demo, dir.resolve("model.h5"));
        }
    }
}

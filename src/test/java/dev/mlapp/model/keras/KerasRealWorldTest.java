package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Npy;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.testing.SystemTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every Keras file people committed to public repositories ({@code ../shared/keras-realworld}): cases with an
 * independent NumPy reference must match it within 1e-4, the others must run and give the output shape their config
 * says, and the only refusals allowed are the models whose computation is Python code, refused naming the class.
 */
class KerasRealWorldTest {

    private static final double TOLERANCE = 1e-4;
    private static final SessionOptions OPTIONS = new SessionOptions(1, 1);

    /** Case → the class the refusal must name: Python code no importer can rebuild without Python. */
    static final Map<String, String> PYTHON_CODE = Map.of(
            "cifar10_subclassed_k3", "CIFAR10Model",   // a subclassed model: its call() is Python
            "carnd_keras1_h5", "Lambda");              // Keras 1 Lambda layers hold marshalled Python bytecode


    private static final CorpusTally TALLY = new CorpusTally("Keras real-world");
    private static final AtomicInteger REFUSED = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> realWorldCorpus() throws IOException {
        Path root = SystemTools.requireShared("keras-realworld");
        return KerasConformanceTest.caseDirs(root, "case.json").stream()
                .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
    }

    private static void run(Path dir) throws IOException {
        TALLY.run(dir.getFileName().toString(), () -> check(dir));
    }

    private static void check(Path dir) throws IOException {
        String name = dir.getFileName().toString();
        Path file = Files.exists(dir.resolve("model.keras")) ? dir.resolve("model.keras") : dir.resolve("model.h5");
        Path architecture = dir.resolve("model.json");
        String refusedClass = PYTHON_CODE.get(name);
        if (refusedClass != null) {
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelLoader.load(file, OPTIONS).close(),
                    name + " is Python code and must be refused");
            assertTrue(e.getMessage().contains(refusedClass), name + ": the refusal must name " + refusedClass
                    + ": " + e.getMessage());
            System.out.println(name + ": refused as expected: " + e.getMessage());
            REFUSED.incrementAndGet();
            return;
        }
        FloatArray input = Npy.read(dir.resolve("input.npy"));
        FloatArray actual;
        try (Model model = Files.exists(architecture) ? ModelLoader.load(architecture, file, OPTIONS)
                : ModelLoader.load(file, OPTIONS)) {
            actual = model.predict(input);
        }
        Path expectedFile = dir.resolve("expected.npy");
        if (Files.exists(expectedFile)) {
            FloatArray expected = Npy.read(expectedFile);
            assertArrayEquals(expected.shape(), actual.shape(), name + ": output shape");
            double delta = KerasConformanceTest.maxDelta(expected, actual);
            if (!(delta <= TOLERANCE)) {
                fail(String.format("%s: max |Δ| = %.6g > %.0e", name, delta, TOLERANCE));
            }
        } else {
            assertArrayEquals(configuredOutputShape(dir, input.shape()[0]), actual.shape(), name + ": output shape");
            for (float v : actual.data()) {
                assertTrue(Float.isFinite(v), name + ": output is not finite");
            }
        }
    }

    @Test
    void aWeightsOnlyFileAloneIsRefusedSayingHowToLoadIt() {
        Path weights = SystemTools.requireShared("keras-realworld/food_weights_only_h5/model.h5");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelLoader.load(weights, OPTIONS));
        assertTrue(e.getMessage().contains("weights-only") && e.getMessage().contains("--weights"), e.getMessage());
    }

    /** case.json's output_shape with the batch size of the input in place of None. */
    private static long[] configuredOutputShape(Path dir, long batch) throws IOException {
        JsonObject c = JsonParser.parseString(Files.readString(dir.resolve("case.json"))).getAsJsonObject();
        JsonArray shape = c.getAsJsonArray("output_shape");
        long[] out = new long[shape.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement d = shape.get(i);
            out[i] = d.isJsonNull() ? batch : d.getAsLong();
        }
        return out;
    }

    @AfterAll
    static void summary() {
        TALLY.print(" (the passed include " + REFUSED.get() + " Python-code models refused as required)");
    }
}

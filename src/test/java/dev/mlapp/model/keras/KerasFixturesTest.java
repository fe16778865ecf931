package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Npy;
import dev.mlapp.model.SessionOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed fixture ({@code src/test/resources/keras-fixtures/<case>/}, written by
 * {@code scripts/dev/generate-keras-fixtures.sh}) loads through {@link ModelLoader} and reproduces the independent
 * float64 reference within the conformance tolerance.
 */
class KerasFixturesTest {

    static final double TOLERANCE = 1e-4;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesTheReference() throws IOException, URISyntaxException {
        Path root = Path.of(KerasFixturesTest.class.getResource("/keras-fixtures").toURI());
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(cases.size() >= 9, "fixtures present under " + root);
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private static void check(Path dir) throws IOException {
        Path model = Files.exists(dir.resolve("model.keras")) ? dir.resolve("model.keras") : dir.resolve("model.h5");
        FloatArray input = Npy.read(dir.resolve("input.npy"));
        FloatArray expected = Npy.read(dir.resolve("expected.npy"));
        try (Model loaded = ModelLoader.load(model, SessionOptions.TENSORFLOW_DEFAULTS)) {
            long[] fed = Arrays.copyOfRange(input.shape(), 1, input.shape().length);
            long[] declared = loaded.info().inputShape().clone();
            for (int i = 0; i < declared.length && i < fed.length; i++) {
                declared[i] = declared[i] < 0 ? fed[i] : declared[i]; // a None length takes what is fed
            }
            assertArrayEquals(fed, declared, "input shape from the model config");
            FloatArray actual = loaded.predict(input);
            assertArrayEquals(expected.shape(), actual.shape(), "output shape");
            double maxDelta = 0;
            for (int i = 0; i < expected.data().length; i++) {
                maxDelta = Math.max(maxDelta, Math.abs((double) expected.data()[i] - actual.data()[i]));
            }
            double delta = maxDelta;
            assertTrue(delta <= TOLERANCE, () -> dir.getFileName() + ": max |Δ| = " + delta + " > " + TOLERANCE
                    + "\nexpected " + Arrays.toString(expected.data()) + "\nactual   " + Arrays.toString(actual.data()));
        }
    }
}

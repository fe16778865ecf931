package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Npy;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.testing.SystemTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every real Keras file of {@code ../shared/keras-conformance/cases} and the full-size models of
 * {@code ../shared/models} through {@link ModelLoader} and requires max |Δ| ≤ 1e-4 against the reference output.
 */
class KerasConformanceTest {

    static final double TOLERANCE = 1e-4;
    private static final SessionOptions OPTIONS = new SessionOptions(1, 1);

    /**
     * A case whose reference comes from Deeplearning4j's importer (a second opinion, not ground truth) where this
     * importer disagrees with it and Keras's own source says Keras computes what we compute.
     *
     * @param kerasShape the output shape Keras produces, which this importer must produce
     * @param sameValues true when only the layout differs: dl4j's time-major (T·N, F) rows must match our (N, T, F)
     * @param reason     why Keras, and so this importer, is right
     */
    record Disagreement(long[] kerasShape, boolean sameValues, String reason) {
    }

    private static final String MIXED_DATA_FORMATS = "the model mixes data formats: Conv2DTranspose layers are "
            + "channels_first while ZeroPadding2D/UpSampling2D/Cropping2D and the (global) max or average pooling "
            + "layers are channels_last. Keras applies each layer's own data_format to the tensor it receives "
            + "(e.g. ZeroPadding2D.call -> backend.spatial_2d_padding(inputs, padding, data_format=self.data_format)), "
            + "so after a channels_first layer emits (N,4,H,W) the channels_last layers treat axis 3 (W) as channels "
            + "and the global pooling returns (N,W). The saved weights prove it: the second Conv2DTranspose's kernel "
            + "was built for an input-channel count equal to the pooled height, which only this reading produces "
            + "(TensorFlow rejects the kernel otherwise). dl4j converts the whole network to one layout and reports "
            + "(N,4).";

    static final Map<String, Disagreement> DL4J_DISAGREEMENTS = Map.of(
            "tfkeras_cnn2d_52", new Disagreement(new long[] {2, 10}, false, MIXED_DATA_FORMATS),
            "tfkeras_cnn2d_53", new Disagreement(new long[] {2, 10}, false, MIXED_DATA_FORMATS),
            "tfkeras_cnn2d_54", new Disagreement(new long[] {2, 10}, false, MIXED_DATA_FORMATS),
            "tfkeras_cnn2d_55", new Disagreement(new long[] {2, 10}, false, MIXED_DATA_FORMATS),
            "tfkeras_cnn2d_56", new Disagreement(new long[] {2, 14}, false, MIXED_DATA_FORMATS),
            "tfkeras_cnn2d_57", new Disagreement(new long[] {2, 14}, false, MIXED_DATA_FORMATS),
            "tfkeras_cnn2d_58", new Disagreement(new long[] {2, 14}, false, MIXED_DATA_FORMATS),
            "tfkeras_cnn2d_59", new Disagreement(new long[] {2, 14}, false, MIXED_DATA_FORMATS),
            "tfkeras_misc_0", new Disagreement(new long[] {2, 5, 4}, true, "Embedding maps input (N,5) to "
                    + "(N,5,8) and Dense acts on the last axis (tensordot), so Keras outputs (N,5,4) = (2,5,4); "
                    + "dl4j folds the time steps into the batch time-major and reports (10,4). The values agree, "
                    + "including Keras's cast of float indices to int32 (truncation: 1.07 -> 1, -0.99 -> 0)."));

    private static final CorpusTally TALLY = new CorpusTally("Keras conformance");

    @TestFactory
    Stream<DynamicTest> conformanceCorpus() throws IOException {
        return cases("keras-conformance/cases");
    }

    @TestFactory
    Stream<DynamicTest> fullSizeModels() throws IOException {
        return cases("models");
    }

    /**
     * One test per case; without {@code ../shared}, one test that is skipped with the reason (a factory that
     * aborts itself yields no test at all, and the run would report 0 tests instead of a skip).
     */
    private static Stream<DynamicTest> cases(String shared) throws IOException {
        if (!Files.isDirectory(Path.of("..", "shared", shared))) {
            return Stream.of(DynamicTest.dynamicTest("../shared/" + shared, () -> SystemTools.requireShared(shared)));
        }
        return caseDirs(SystemTools.requireShared(shared), "model.h5").stream()
                .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
    }

    /** The case folders of a corpus (those holding {@code marker}), sorted; -Dkeras.cases=REGEX narrows them. */
    static List<Path> caseDirs(Path root, String marker) throws IOException {
        String only = System.getProperty("keras.cases", ".*");
        try (Stream<Path> list = Files.list(root)) {
            return list.filter(d -> Files.exists(d.resolve(marker)))
                    .filter(d -> d.getFileName().toString().matches(only)).sorted().toList();
        }
    }

    private static void run(Path dir) throws IOException {
        TALLY.run(dir.getFileName().toString(), () -> check(dir));
    }

    private static void check(Path dir) throws IOException {
        String name = dir.getFileName().toString();
        FloatArray input = Npy.read(dir.resolve("input.npy"));
        FloatArray expected = Npy.read(dir.resolve("expected.npy"));
        FloatArray actual;
        try (Model model = ModelLoader.load(dir.resolve("model.h5"), OPTIONS)) {
            actual = model.predict(input);
        }
        Disagreement disagreement = DL4J_DISAGREEMENTS.get(name);
        if (disagreement != null) {
            assertArrayEquals(disagreement.kerasShape(), actual.shape(), name + ": Keras's output shape");
            assertTrue(!java.util.Arrays.equals(expected.shape(), actual.shape()),
                    name + " now agrees with dl4j's shape: remove it from DL4J_DISAGREEMENTS");
            if (disagreement.sameValues()) {
                double delta = maxDelta(expected, timeMajor(actual));
                assertTrue(delta <= TOLERANCE, String.format("%s: max |Δ| = %.6g against dl4j's values", name, delta));
            }
            System.out.println(name + ": differs from dl4j by design: " + disagreement.reason());
            return;
        }
        assertArrayEquals(expected.shape(), actual.shape(), name + ": output shape");
        double maxDelta = maxDelta(expected, actual);
        if (!(maxDelta <= TOLERANCE)) {
            fail(String.format("%s: max |Δ| = %.6g > %.0e", name, maxDelta, TOLERANCE));
        }
    }

    /** (N, T, F) -> (T·N, F), the row order of dl4j's time-major output. */
    private static FloatArray timeMajor(FloatArray a) {
        int n = (int) a.shape()[0];
        int t = (int) a.shape()[1];
        int f = (int) a.shape()[2];
        float[] out = new float[a.data().length];
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < t; s++) {
                System.arraycopy(a.data(), (b * t + s) * f, out, (s * n + b) * f, f);
            }
        }
        return new FloatArray(new long[] {(long) t * n, f}, out);
    }

    static double maxDelta(FloatArray expected, FloatArray actual) {
        if (expected.data().length != actual.data().length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < expected.data().length; i++) {
            double d = Math.abs((double) expected.data()[i] - actual.data()[i]);
            if (!(d <= max)) {
                max = d;
            }
        }
        return max;
    }

    @AfterAll
    static void summary() {
        TALLY.print("");
    }
}

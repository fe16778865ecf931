package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.SessionOptions;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras 3 operation nodes in the spellings the fixtures do not cover (Keras 3.0–3.2 modules, array constants,
 * keyword arguments, the shaped operations), and every way a node is refused at load rather than served with an
 * argument dropped. The fixtures {@code ops_*} check the elementwise operations against a float64 reference.
 */
class KerasOperationsTest {

    private static final float[] INPUT = {1f, -2f, 0.5f, 3f, -1f, 0f, 2f, -0.25f};

    @TempDir
    Path dir;

    @Test
    void anAddOperationWithAConstantIsNotTheAddLayer() throws IOException {
        assertOutput(ops(node("keras.src.ops.numpy", "Add", "{\"name\": \"add\"}", "[" + tensor("x") + ", 3.0]", "{}")),
                v -> v + 3);
    }

    @Test
    void keras3Point0ModulesAreOperationsToo() throws IOException {
        assertOutput(ops(node("keras.ops.numpy", "Subtract", "{\"name\": \"subtract\"}", "[1.0, " + tensor("x") + "]",
                "{}")), v -> 1 - v);
    }

    @Test
    void numpyAndTensorConstantsBroadcastAsNumPy() throws IOException {
        String numpy = "{\"class_name\": \"__numpy__\", \"config\": {\"value\": [1.0, 2.0, 3.0, 4.0], "
                + "\"dtype\": \"float64\"}}";
        String tensor = "{\"class_name\": \"__tensor__\", \"config\": {\"value\": [[10, 20, 30, 40]], "
                + "\"dtype\": \"int32\"}}";
        Path file = ops(node("keras.src.ops.numpy", "Multiply", "{\"name\": \"multiply\"}",
                "[" + numpy + ", " + tensor("x") + "]", "{}"), "multiply",
                node("keras.src.ops.numpy", "Add", "{\"name\": \"add\"}", "[" + tensor("multiply") + ", " + tensor
                        + "]", "{}"));
        float[] expected = new float[INPUT.length];
        for (int i = 0; i < INPUT.length; i++) {
            expected[i] = INPUT[i] * (i % 4 + 1) + 10 * (i % 4 + 1);
        }
        assertOutput(file, expected);
    }

    @Test
    void argumentsGivenByKeywordAreBoundByName() throws IOException {
        assertOutput(ops(node("keras.src.ops.numpy", "Power", "{\"name\": \"power\"}", "[]",
                "{\"x1\": 2.0, \"x2\": " + tensor("x") + "}")), v -> Math.pow(2, v));
    }

    @Test
    void whereMeanAndConcatenateReadTheirConfigAndArguments() throws IOException {
        Path file = ops(node("keras.src.ops.numpy", "Greater", "{\"name\": \"greater\"}",
                "[" + tensor("x") + ", 0.0]", "{}"), "greater",
                node("keras.src.ops.numpy", "Where", "{\"name\": \"where\"}",
                        "[" + tensor("greater") + ", " + tensor("x") + ", 0.5]", "{}"), "where",
                node("keras.src.ops.numpy", "Mean", "{\"name\": \"mean\", \"axis\": -1, \"keepdims\": true}",
                        "[" + tensor("where") + "]", "{}"), "mean",
                node("keras.src.ops.numpy", "Concatenate", "{\"name\": \"concatenate\", \"axis\": -1}",
                        "[[" + tensor("mean") + ", " + tensor("where") + "]]", "{}"));
        float[] expected = new float[10];
        for (int b = 0; b < 2; b++) {
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                float v = INPUT[b * 4 + j];
                expected[b * 5 + 1 + j] = v > 0 ? v : 0.5f;
                sum += expected[b * 5 + 1 + j];
            }
            expected[b * 5] = (float) (sum / 4);
        }
        assertOutput(file, expected);
    }

    @Test
    void anOperationWithoutTranslationIsRefusedByName() throws IOException {
        Path file = ops(node("keras.src.ops.numpy", "Einsum", "{\"name\": \"einsum\", \"subscripts\": \"ij->ji\"}",
                "[" + tensor("x") + "]", "{}"));
        String message = refusal(file);
        assertTrue(message.contains("operation 'op' (keras.src.ops.numpy.Einsum)")
                && message.contains("no translation"), message);
    }

    @Test
    void aConfigEntryTheTranslationDoesNotReadIsRefused() throws IOException {
        Path file = ops(node("keras.src.ops.nn", "Softmax", "{\"name\": \"softmax\", \"axis\": -1, \"temperature\": 2}",
                "[" + tensor("x") + "]", "{}"));
        String message = refusal(file);
        assertTrue(message.contains("nn.Softmax") && message.contains("temperature=2"), message);
    }

    @Test
    void anArgumentTheOperationDoesNotTakeIsRefused() throws IOException {
        String tooMany = refusal(ops(node("keras.src.ops.numpy", "Add", "{\"name\": \"add\"}",
                "[" + tensor("x") + ", 1.0, 2.0]", "{}")));
        assertTrue(tooMany.contains("3 positional arguments"), tooMany);
        String unknown = refusal(ops(node("keras.src.ops.nn", "Relu", "{\"name\": \"relu\"}",
                "[" + tensor("x") + "]", "{\"alpha\": 0.1}")));
        assertTrue(unknown.contains("alpha=0.1"), unknown);
    }

    @Test
    void aLayerCalledWithAConstantOrAnUnknownKeywordIsRefused() throws IOException {
        String dense = "{\"units\": 2, \"activation\": \"linear\", \"use_bias\": false, \"name\": \"op\"}";
        String constant = refusal(ops(layer("Dense", dense, "[" + tensor("x") + ", 3.0]", "{}")));
        assertTrue(constant.contains("layer 'op' (Dense)") && constant.contains("3.0"), constant);
        String keyword = refusal(ops(layer("Dense", dense, "[" + tensor("x") + "]", "{\"initial_state\": null}")));
        assertTrue(keyword.contains("initial_state"), keyword);
        String training = refusal(ops(layer("Dropout", "{\"rate\": 0.5, \"name\": \"op\"}", "[" + tensor("x") + "]",
                "{\"training\": true}")));
        assertTrue(training.contains("training=True"), training);
    }

    @Test
    void aReshapeThatCannotHoldItsInputIsRefusedAtLoadNamingTheLayer() throws IOException {
        String message = refusal(ops(layer("Reshape", "{\"target_shape\": [3, -1], \"name\": \"op\"}",
                "[" + tensor("x") + "]", "{}")));
        assertTrue(message.contains("layer 'op' (Reshape)") && message.contains("cannot hold its input"), message);
    }

    // ---- models ----------------------------------------------------------------------------------------------

    private static String tensor(String from) {
        return "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, 4], \"dtype\": \"float32\", "
                + "\"keras_history\": [\"" + from + "\", 0, 0]}}";
    }

    private static String node(String module, String cls, String config, String args, String kwargs) {
        return "{\"module\": \"" + module + "\", \"class_name\": \"" + cls + "\", \"config\": " + config
                + ", \"registered_name\": \"" + cls + "\", \"inbound_nodes\": [{\"args\": " + args + ", \"kwargs\": "
                + kwargs + "}]}";
    }

    private static String layer(String cls, String config, String args, String kwargs) {
        return "{\"module\": \"keras.layers\", \"class_name\": \"" + cls + "\", \"config\": " + config
                + ", \"registered_name\": null, \"inbound_nodes\": [{\"args\": " + args + ", \"kwargs\": " + kwargs
                + "}]}";
    }

    /** A Functional model x (shape [4]) → entries, named as given ("op" for the last), output the last. */
    private Path ops(String... entriesAndNames) throws IOException {
        StringBuilder layers = new StringBuilder("{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", "
                + "\"config\": {\"batch_shape\": [null, 4], \"dtype\": \"float32\", \"name\": \"x\"}, \"name\": \"x\", "
                + "\"inbound_nodes\": []}");
        String last = null;
        for (int i = 0; i < entriesAndNames.length; i += 2) {
            String name = i + 1 < entriesAndNames.length ? entriesAndNames[i + 1] : "op";
            String entry = entriesAndNames[i];
            layers.append(", ").append(entry, 0, entry.length() - 1).append(", \"name\": \"").append(name)
                    .append("\"}");
            last = name;
        }
        String config = "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": "
                + "{\"name\": \"functional\", \"trainable\": true, \"layers\": [" + layers + "], "
                + "\"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"" + last + "\", 0, 0]]}}";
        Path weights = dir.resolve("w.h5");
        Files.deleteIfExists(weights);
        try (WritableHdfFile hdf = HdfFile.write(weights)) {
            hdf.putGroup("layers");
        }
        Path file = Files.createTempFile(dir, "ops", ".keras");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, "metadata.json", "{\"keras_version\": \"3.12.0\", \"date_saved\": \"2024-01-01\"}");
            put(zip, "config.json", config);
            zip.putNextEntry(new ZipEntry("model.weights.h5"));
            zip.write(Files.readAllBytes(weights));
            zip.closeEntry();
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private static void assertOutput(Path file, java.util.function.DoubleUnaryOperator f) {
        float[] expected = new float[INPUT.length];
        for (int i = 0; i < INPUT.length; i++) {
            expected[i] = (float) f.applyAsDouble(INPUT[i]);
        }
        assertOutput(file, expected);
    }

    private static void assertOutput(Path file, float[] expected) {
        try (Model model = ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS)) {
            FloatArray out = model.predict(new FloatArray(new long[] {2, 4}, INPUT));
            assertArrayEquals(expected, out.data(), 1e-5f);
        }
    }

    private static String refusal(Path file) {
        return assertThrows(ModelLoadException.class,
                () -> ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS).close()).getMessage();
    }
}

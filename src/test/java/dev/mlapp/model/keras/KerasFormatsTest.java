package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.SessionOptions;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
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
 * The file layouts the corpus lacks, written here byte-for-byte as Keras's saving code lays them out (the real
 * Keras-written fixtures live with the keras-fixtures work): Keras 3 and Keras 2.13–2.15 {@code .keras} archives,
 * Keras 3 {@code .h5}, and the refusal of layers that cannot be rebuilt. A two-layer MLP whose output is computed
 * here in double precision checks that every weight landed in the right place.
 */
class KerasFormatsTest {

    private static final float[][] K1 = {{0.5f, -1f, 0.25f}, {1.5f, 0.5f, -0.75f}, {-0.5f, 2f, 1f}, {0.1f, 0.2f, 0.3f}};
    private static final float[] B1 = {0.1f, -0.2f, 0.3f};
    private static final float[][] K2 = {{1f, -1f}, {0.5f, 0.25f}, {-2f, 1f}};
    private static final float[] B2 = {0.05f, -0.05f};
    private static final float[] INPUT = {1f, 2f, -1f, 0.5f, -0.3f, 0.7f, 1.1f, -2f};

    @TempDir
    Path dir;

    private static final String KERAS3_SEQUENTIAL = """
            {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true,
             "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}},
             "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4],
               "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "hidden", "trainable": true,
               "units": 3, "activation": "relu", "use_bias": true}, "registered_name": null,
               "build_config": {"input_shape": [null, 4]}},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "out", "trainable": true,
               "units": 2, "activation": "softmax", "use_bias": true}, "registered_name": null,
               "build_config": {"input_shape": [null, 3]}}],
             "build_input_shape": [null, 4]}, "registered_name": null}
            """;

    /** Keras 3 functional config: inbound nodes as {"args": [keras tensors]}, single input_layers flattened. */
    private static final String KERAS3_FUNCTIONAL = """
            {"module": "keras", "class_name": "Functional", "config": {"name": "functional",
             "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4],
               "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "hidden", "units": 3,
               "activation": "relu", "use_bias": true}, "name": "hidden", "inbound_nodes": [{"args": [
                {"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32",
                 "keras_history": ["x", 0, 0]}}], "kwargs": {}}]},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "out", "units": 2,
               "activation": "softmax", "use_bias": true}, "name": "out", "inbound_nodes": [{"args": [
                {"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32",
                 "keras_history": ["hidden", 0, 0]}}], "kwargs": {}}]}],
             "input_layers": ["x", 0, 0], "output_layers": ["out", 0, 0]}}
            """;

    /** tf.keras 2.13–2.15 functional config: old list-style inbound nodes. */
    private static final String KERAS2_FUNCTIONAL = """
            {"module": "keras.src.engine.functional", "class_name": "Functional", "config": {"name": "model",
             "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4],
               "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "hidden", "units": 3,
               "activation": "relu", "use_bias": true}, "name": "hidden", "inbound_nodes": [[["x", 0, 0, {}]]]},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "out", "units": 2,
               "activation": "softmax", "use_bias": true}, "name": "out", "inbound_nodes": [[["hidden", 0, 0, {}]]]}],
             "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}}
            """;

    /** tf.keras MobileNetV3's hard_sigmoid: ReLU(6.)(x + 3.) * (1. / 6.), saved as two TFOpLambda layers. */
    private static final String TF_OP_LAMBDA = """
            {"class_name": "Functional", "config": {"name": "model", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "x"}, "name": "x",
               "inbound_nodes": []},
              {"class_name": "Dense", "config": {"name": "hidden", "units": 3, "activation": "linear",
               "use_bias": true}, "name": "hidden", "inbound_nodes": [[["x", 0, 0, {}]]]},
              {"class_name": "TFOpLambda", "config": {"name": "tf.__operators__.add", "trainable": true,
               "dtype": "float32", "function": "__operators__.add"}, "name": "tf.__operators__.add",
               "inbound_nodes": [["hidden", 0, 0, {"y": 3.0, "name": null}]]},
              {"class_name": "ReLU", "config": {"name": "re_lu", "max_value": 6.0, "negative_slope": 0.0,
               "threshold": 0.0}, "name": "re_lu", "inbound_nodes": [[["tf.__operators__.add", 0, 0, {}]]]},
              {"class_name": "TFOpLambda", "config": {"name": "tf.math.multiply", "function": "math.multiply"},
               "name": "tf.math.multiply", "inbound_nodes": [["re_lu", 0, 0, {"y": 0.16666666666666666,
               "name": null}]]},
              {"class_name": "Dense", "config": {"name": "out", "units": 2, "activation": "softmax",
               "use_bias": true}, "name": "out", "inbound_nodes": [[["tf.math.multiply", 0, 0, {}]]]}],
             "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}}
            """;

    @Test
    void tfOpLambdaWithConstantOperandAsInMobileNetV3() throws IOException {
        Path file = archive("hard_sigmoid.keras", TF_OP_LAMBDA, "2.15.0", "_layer_checkpoint_dependencies");
        try (Model model = ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS)) {
            FloatArray out = model.predict(new FloatArray(new long[] {2, 4}, INPUT));
            for (int b = 0; b < 2; b++) {
                double[] expected = expectedMlp(b, h -> Math.min(Math.max(h + 3, 0), 6) / 6);
                for (int j = 0; j < 2; j++) {
                    assertEquals(expected[j], out.data()[b * 2 + j], 1e-6, "item " + b + " class " + j);
                }
            }
        }
    }

    @Test
    void tfOpLambdaKeywordTheTranslationWouldDropIsRefusedAtLoad() throws IOException {
        String config = TF_OP_LAMBDA.replace("\"function\": \"__operators__.add\"", "\"function\": \"nn.silu\"")
                .replace("{\"y\": 3.0, \"name\": null}", "{\"beta\": 2.0, \"name\": null}");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelLoader.load(
                archive("silu_beta.keras", config, "2.15.0", "_layer_checkpoint_dependencies"),
                SessionOptions.TENSORFLOW_DEFAULTS));
        assertTrue(e.getMessage().contains("'tf.__operators__.add' (TFOpLambda) is called with beta=2.0"),
                e.getMessage());
    }

    @Test
    void tfOpLambdaWithConstantFirstOperandIsRefusedSayingWhatToUse() throws IOException {
        String config = TF_OP_LAMBDA.replace("[[\"hidden\", 0, 0, {\"y\": 3.0, \"name\": null}]]",
                "[[\"_CONSTANT_VALUE\", -1, 3.0, {\"y\": [\"hidden\", 0, 0], \"name\": null}]]");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelLoader.load(
                archive("rsub.keras", config, "2.15.0", "_layer_checkpoint_dependencies"),
                SessionOptions.TENSORFLOW_DEFAULTS));
        assertTrue(e.getMessage().contains("'tf.__operators__.add' takes the constant 3.0 as its first operand")
                && e.getMessage().contains("Rescaling"), e.getMessage());
    }

    @Test
    void tfKerasLayerCalledWithTrainingTrueIsRefusedAndTrainingFalseLoads() throws IOException {
        String training = KERAS2_FUNCTIONAL.replace("[[[\"x\", 0, 0, {}]]]", "[[[\"x\", 0, 0, {\"training\": %s}]]]");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelLoader.load(
                archive("training.keras", training.formatted("true"), "2.14.0", "_layer_checkpoint_dependencies"),
                SessionOptions.TENSORFLOW_DEFAULTS));
        assertTrue(e.getMessage().contains("'hidden' (Dense) is called with training=True"), e.getMessage());
        assertMlp(archive("inference.keras", training.formatted("false"), "2.14.0", "_layer_checkpoint_dependencies"),
                "keras-zip", "2.14.0");
    }

    @Test
    void keras3ArchiveAddressesWeightsByClassNameNotLayerName() throws IOException {
        Path file = archive("keras3.keras", KERAS3_SEQUENTIAL, "3.6.0", "layers");
        assertMlp(file, "keras-zip", "3.6.0");
    }

    @Test
    void keras3FunctionalArchive() throws IOException {
        assertMlp(archive("functional.keras", KERAS3_FUNCTIONAL, "3.6.0", "layers"), "keras-zip", "3.6.0");
    }

    @Test
    void keras2Point13ArchiveUsesLayerCheckpointDependencies() throws IOException {
        Path file = archive("keras213.keras", KERAS2_FUNCTIONAL, "2.14.0", "_layer_checkpoint_dependencies");
        assertMlp(file, "keras-zip", "2.14.0");
    }

    @Test
    void keras3H5UsesVariablePathsAsDatasetNames() throws IOException {
        Path file = dir.resolve("keras3.h5");
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("model_config", KERAS3_FUNCTIONAL);
            hdf.putAttribute("keras_version", "3.6.0");
            hdf.putAttribute("backend", "tensorflow");
            WritableGroup weights = hdf.putGroup("model_weights");
            weights.putAttribute("layer_names", new String[] {"x", "hidden", "out"});
            weights.putGroup("x"); // h5py writes an empty float64 weight_names here, which jhdf cannot write
            // Keras 3 names datasets by variable path ("functional/hidden/kernel"), which h5py nests as groups
            WritableGroup hidden = weights.putGroup("hidden");
            hidden.putAttribute("weight_names", new String[] {"functional/hidden/kernel", "functional/hidden/bias"});
            WritableGroup h = hidden.putGroup("functional").putGroup("hidden");
            h.putDataset("kernel", K1);
            h.putDataset("bias", B1);
            WritableGroup out = weights.putGroup("out");
            out.putAttribute("weight_names", new String[] {"functional/out/kernel", "functional/out/bias"});
            WritableGroup o = out.putGroup("functional").putGroup("out");
            o.putDataset("kernel", K2);
            o.putDataset("bias", B2);
            weights.putGroup("top_level_model_weights");
        }
        assertMlp(file, "keras-h5", "3.6.0");
    }

    @Test
    void unsupportedLayerFailsAtLoadNamingLayerClassAndAlternatives() throws IOException {
        String config = KERAS3_SEQUENTIAL.replace("\"class_name\": \"Dense\", \"config\": {\"name\": \"out\"",
                "\"class_name\": \"ConvLSTM3D\", \"config\": {\"name\": \"my_layer\"");
        Path file = archive("unknown.keras", config, "3.6.0", "layers");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS));
        assertTrue(e.getMessage().contains("'my_layer'") && e.getMessage().contains("ConvLSTM3D")
                && e.getMessage().contains("Conv2D"), e.getMessage());
    }

    @Test
    void lambdaLayerIsRefusedAsPythonCodeSayingWhatToDo() throws IOException {
        String config = KERAS3_SEQUENTIAL.replace("\"class_name\": \"Dense\", \"config\": {\"name\": \"out\"",
                "\"class_name\": \"Lambda\", \"config\": {\"name\": \"my_lambda\"");
        Path file = archive("lambda.keras", config, "3.6.0", "layers");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS));
        assertTrue(e.getMessage().contains("'my_lambda' (Lambda)") && e.getMessage().contains("Python")
                && e.getMessage().contains("Replace the Lambda with built-in layers"), e.getMessage());
    }

    @Test
    void customClassIsRefusedNamingItsModule() throws IOException {
        String config = KERAS3_SEQUENTIAL.replace(
                "\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"out\"",
                "\"module\": \"my_project.layers\", \"class_name\": \"FancyBlock\", \"config\": {\"name\": \"out\"");
        Path file = archive("custom.keras", config, "3.6.0", "layers");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS));
        assertTrue(e.getMessage().contains("'out' (FancyBlock)") && e.getMessage().contains("my_project.layers")
                && e.getMessage().contains("built-in Keras layers"), e.getMessage());
    }

    @Test
    void weightsOnlyH5IsRefusedWithAHint() throws IOException {
        Path file = dir.resolve("weights.h5");
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("layer_names", new String[] {"dense"});
        }
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS));
        assertTrue(e.getMessage().contains("weights-only"), e.getMessage());
    }

    private Path archive(String name, String config, String version, String listName) throws IOException {
        Path weights = dir.resolve(name + ".weights.h5");
        try (WritableHdfFile hdf = HdfFile.write(weights)) {
            WritableGroup layers = hdf.putGroup(listName);
            // keys are snake_case(class name) with a counter, whatever the layers are called
            WritableGroup dense = layers.putGroup("dense").putGroup("vars");
            dense.putDataset("0", K1);
            dense.putDataset("1", B1);
            WritableGroup dense1 = layers.putGroup("dense_1").putGroup("vars");
            dense1.putDataset("0", K2);
            dense1.putDataset("1", B2);
        }
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, "metadata.json", "{\"keras_version\": \"" + version + "\", \"date_saved\": \"2024-01-01\"}");
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

    private static void assertMlp(Path file, String format, String version) {
        try (Model model = ModelLoader.load(file, SessionOptions.TENSORFLOW_DEFAULTS)) {
            assertEquals(format, model.info().format());
            assertArrayEquals(new long[] {4}, model.info().inputShape());
            assertArrayEquals(new long[] {2}, model.info().outputShape());
            assertTrue(model.info().details().contains(new dev.mlapp.model.ModelInfo.Detail("keras_version", version)));
            assertTrue(model.info().details().contains(new dev.mlapp.model.ModelInfo.Detail("parameters", "23")));
            FloatArray out = model.predict(new FloatArray(new long[] {2, 4}, INPUT));
            assertArrayEquals(new long[] {2, 2}, out.shape());
            for (int b = 0; b < 2; b++) {
                double[] expected = expectedMlp(b, h -> Math.max(0, h));
                for (int j = 0; j < 2; j++) {
                    assertEquals(expected[j], out.data()[b * 2 + j], 1e-6, "item " + b + " class " + j);
                }
            }
        }
    }

    private static double[] expectedMlp(int b, java.util.function.DoubleUnaryOperator hiddenActivation) {
        double[] h = new double[3];
        for (int j = 0; j < 3; j++) {
            double s = B1[j];
            for (int i = 0; i < 4; i++) {
                s += INPUT[b * 4 + i] * K1[i][j];
            }
            h[j] = hiddenActivation.applyAsDouble(s);
        }
        double[] z = new double[2];
        for (int j = 0; j < 2; j++) {
            z[j] = B2[j];
            for (int i = 0; i < 3; i++) {
                z[j] += h[i] * K2[i][j];
            }
        }
        double max = Math.max(z[0], z[1]);
        double e0 = Math.exp(z[0] - max);
        double e1 = Math.exp(z[1] - max);
        return new double[] {e0 / (e0 + e1), e1 / (e0 + e1)};
    }
}

package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.FloatArray;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.types.TFloat32;

/** Layer translations the corpus does not reach, checked against an independent TensorFlow formulation. */
class LayerTranslationsTest {

    @Test
    void dilatedDepthwiseEqualsDilatedConvolutionPerChannel() {
        // with one input channel and depth_multiplier 1, a depthwise convolution is an ordinary one, and
        // TensorFlow's Conv2D supports dilation on CPU where DepthwiseConv2dNative does not
        SplittableRandom random = new SplittableRandom(3);
        float[] image = new float[9 * 9];
        float[] kernel = new float[3 * 3];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextDouble(-1, 1);
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (float) random.nextDouble(-1, 1);
        }
        for (String padding : List.of("same", "valid")) {
            try (Graph graph = new Graph(); Session session = new Session(graph)) {
                Ops tf = Ops.create(graph);
                Operand<TFloat32> x = tf.constant(Shape.of(1, 9, 9, 1), DataBuffers.of(image, true, false));
                LayerConfig layer = new LayerConfig("DepthwiseConv2D", "dw", JsonParser.parseString(
                        "{\"padding\": \"" + padding + "\", \"dilation_rate\": [2, 2], \"use_bias\": false}")
                        .getAsJsonObject(), LayerPath.ROOT.child("dw", "depthwise_conv2d"),
                        List.of(new FloatArray(new long[] {3, 3, 1, 1}, kernel)));
                Operand<TFloat32> imported = new GraphOps(tf, "2.15.0").apply(layer, List.of(KTensor.of(x))).value();
                Operand<TFloat32> reference = tf.nn.conv2d(x, tf.constant(Shape.of(3, 3, 1, 1),
                        DataBuffers.of(kernel, true, false)), List.of(1L, 1L, 1L, 1L), padding.toUpperCase(),
                        Conv2d.dilations(List.of(1L, 2L, 2L, 1L)));
                try (Result r = session.runner().fetch(imported).fetch(reference).run()) {
                    TFloat32 a = (TFloat32) r.get(0);
                    TFloat32 b = (TFloat32) r.get(1);
                    assertArrayEquals(b.shape().asArray(), a.shape().asArray(), padding);
                    float[] av = new float[(int) a.size()];
                    float[] bv = new float[(int) b.size()];
                    a.asRawTensor().data().asFloats().read(av);
                    b.asRawTensor().data().asFloats().read(bv);
                    for (int i = 0; i < av.length; i++) {
                        assertEquals(bv[i], av[i], 1e-5, padding + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void archiveKeysFollowKerasSnakeCase() {
        assertEquals("conv2d_transpose", snake("Conv2DTranspose"));
        assertEquals("batch_normalization", snake("BatchNormalization"));
        assertEquals("depthwise_conv2d", snake("DepthwiseConv2D"));
        assertEquals("re_lu", snake("ReLU"));
        assertEquals("p_re_lu", snake("PReLU"));
        assertEquals("functional", snake("Functional"));
        KerasArchiveReader.ArchiveKeys keys = new KerasArchiveReader.ArchiveKeys(false);
        assertEquals(List.of("dense", "conv2d", "dense_1", "re_lu", "dense_2", "re_lu_1"), List.of(
                keys.next("Dense", true), keys.next("Conv2D", true), keys.next("Dense", true),
                keys.next("ReLU", false), keys.next("Dense", true), keys.next("ReLU", false)));
        // Keras 2.13 counted each layer with weights twice
        KerasArchiveReader.ArchiveKeys keras213 = new KerasArchiveReader.ArchiveKeys(true);
        assertEquals(List.of("dense", "conv2d", "dense_2", "re_lu", "dense_4", "re_lu_1"), List.of(
                keras213.next("Dense", true), keras213.next("Conv2D", true), keras213.next("Dense", true),
                keras213.next("ReLU", false), keras213.next("Dense", true), keras213.next("ReLU", false)));
    }

    @Test
    void registryKeysAreTheSupportedClassesAndKnowWhichOwnVariables() {
        LayerRegistry registry = LayerRegistry.KERAS;
        for (String cls : List.of("Dense", "Conv2D", "DepthwiseConv2D", "BatchNormalization", "Embedding", "PReLU")) {
            assertTrue(registry.ownsVariables(cls, new JsonObject()), cls);
        }
        for (String cls : List.of("ReLU", "MaxPooling2D", "Flatten", "Dropout", "Add", "Rescaling", "Resizing")) {
            assertFalse(registry.ownsVariables(cls, new JsonObject()), cls);
        }
        // Normalization's statistics are variables once adapted, config values when passed to the constructor
        assertTrue(registry.ownsVariables("Normalization", new JsonObject()));
        assertFalse(registry.ownsVariables("Normalization",
                JsonParser.parseString("{\"mean\": [1.0], \"variance\": [2.0]}").getAsJsonObject()));
        assertFalse(registry.ownsVariables("NoSuchLayer", new JsonObject()));
        assertTrue(registry.classNames().containsAll(List.of("Conv2DTranspose", "TFOpLambda", "Concatenate")));
        assertNull(registry.translation("Lambda"));
    }

    @Test
    void theDocsListEverySupportedLayer() throws java.io.IOException {
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("docs/keras-import.md"));
        for (String cls : LayerRegistry.KERAS.classNames()) {
            assertTrue(docs.contains("`" + cls + "`"), cls + " is supported but docs/keras-import.md does not list it");
        }
    }

    @Test
    void twoFamiliesCannotClaimOneClass() {
        LayerFamily a = layers -> layers.add("Dense", LayerTranslation.identity());
        assertThrows(IllegalStateException.class, () -> LayerRegistry.build(List.of(a, CoreLayers::register)));
    }

    private static String snake(String className) {
        return KerasArchiveReader.ArchiveKeys.snakeCase(className);
    }
}

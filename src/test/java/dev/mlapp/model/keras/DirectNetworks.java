package dev.mlapp.model.keras;

import dev.mlapp.model.FloatArray;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The benchmark's baseline: the course's VGG16 and MobileNetV2 classifiers written by hand with TF-Java ops, as one
 * would without an importer, taking weights straight from the file by dataset name. {@link ImportBench} compares
 * the imported graph's throughput with these.
 */
final class DirectNetworks {

    private final Ops tf;
    private final HdfFile hdf;
    private final String base;

    private DirectNetworks(Graph graph, HdfFile hdf, String base) {
        this.tf = Ops.create(graph);
        this.hdf = hdf;
        this.base = base;
    }

    /** Builds VGG16 (include_top=False, pooling='avg') + Dense(11, softmax) into {@code graph}. */
    static void vgg16(Graph graph, Path file) {
        try (HdfFile hdf = new HdfFile(file)) {
            DirectNetworks n = new DirectNetworks(graph, hdf, "model_weights/vgg16/");
            Operand<TFloat32> x = n.input();
            int[] convs = {2, 2, 3, 3, 3};
            for (int block = 1; block <= 5; block++) {
                for (int i = 1; i <= convs[block - 1]; i++) {
                    String name = "block" + block + "_conv" + i;
                    x = n.tf.nn.relu(n.tf.nn.biasAdd(n.tf.nn.conv2d(x, n.w(name + "/kernel:0"), List.of(1L, 1L, 1L, 1L),
                            "SAME"), n.w(name + "/bias:0")));
                }
                x = n.tf.nn.maxPool(x, n.tf.constant(new int[] {1, 2, 2, 1}), n.tf.constant(new int[] {1, 2, 2, 1}),
                        "VALID");
            }
            n.head(x);
        }
    }

    /** Builds MobileNetV2 α=1.0 (include_top=False, pooling='avg') + Dense(11, softmax) into {@code graph}. */
    static void mobileNetV2(Graph graph, Path file) {
        try (HdfFile hdf = new HdfFile(file)) {
            DirectNetworks n = new DirectNetworks(graph, hdf, "model_weights/mobilenetv2_1.00_224/");
            Operand<TFloat32> x = n.input();
            x = n.padBottomRight(x);
            x = n.relu6(n.bn(n.conv(x, "Conv1", 2, "VALID"), "bn_Conv1"));
            x = n.relu6(n.bn(n.depthwise(x, "expanded_conv_depthwise", 1, "SAME"), "expanded_conv_depthwise_BN"));
            x = n.bn(n.conv(x, "expanded_conv_project", 1, "SAME"), "expanded_conv_project_BN");
            int[] filters = {24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320};
            int[] strides = {2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1};
            long channels = 16;
            for (int b = 1; b <= 16; b++) {
                String p = "block_" + b + "_";
                Operand<TFloat32> in = x;
                x = n.relu6(n.bn(n.conv(x, p + "expand", 1, "SAME"), p + "expand_BN"));
                if (strides[b - 1] == 2) {
                    x = n.padBottomRight(x);
                    x = n.depthwise(x, p + "depthwise", 2, "VALID");
                } else {
                    x = n.depthwise(x, p + "depthwise", 1, "SAME");
                }
                x = n.relu6(n.bn(x, p + "depthwise_BN"));
                x = n.bn(n.conv(x, p + "project", 1, "SAME"), p + "project_BN");
                if (strides[b - 1] == 1 && channels == filters[b - 1]) {
                    x = n.tf.math.add(in, x);
                }
                channels = filters[b - 1];
            }
            x = n.relu6(n.bn(n.conv(x, "Conv_1", 1, "SAME"), "Conv_1_bn"));
            n.head(x);
        }
    }

    private Operand<TFloat32> input() {
        return tf.withName(GraphBuilder.INPUT).placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, 224, 224, 3)));
    }

    private void head(Operand<TFloat32> x) {
        x = tf.math.mean(x, tf.constant(new int[] {1, 2}));
        Operand<TFloat32> kernel = constant(Hdf5Values.floats((Dataset) hdf.getByPath("model_weights/dense/dense/kernel:0")));
        Operand<TFloat32> bias = constant(Hdf5Values.floats((Dataset) hdf.getByPath("model_weights/dense/dense/bias:0")));
        tf.withName(GraphBuilder.OUTPUT).nn.softmax(tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias));
    }

    private Operand<TFloat32> w(String name) {
        return constant(array(name));
    }

    private FloatArray array(String name) {
        return Hdf5Values.floats((Dataset) hdf.getByPath(base + name));
    }

    private Operand<TFloat32> constant(FloatArray a) {
        return tf.constant(Shape.of(a.shape()), DataBuffers.of(a.data(), true, false));
    }

    private Operand<TFloat32> conv(Operand<TFloat32> x, String name, long stride, String padding) {
        return tf.nn.conv2d(x, w(name + "/kernel:0"), List.of(1L, stride, stride, 1L), padding);
    }

    private Operand<TFloat32> depthwise(Operand<TFloat32> x, String name, long stride, String padding) {
        return tf.nn.depthwiseConv2dNative(x, w(name + "/depthwise_kernel:0"), List.of(1L, stride, stride, 1L),
                padding);
    }

    private Operand<TFloat32> padBottomRight(Operand<TFloat32> x) {
        return tf.pad(x, tf.constant(new int[][] {{0, 0}, {0, 1}, {0, 1}, {0, 0}}), tf.constant(0f));
    }

    private Operand<TFloat32> relu6(Operand<TFloat32> x) {
        return tf.nn.relu6(x);
    }

    /** Inference batch norm folded into one multiply-add, epsilon 1e-3 as in keras.applications.MobileNetV2. */
    private Operand<TFloat32> bn(Operand<TFloat32> x, String name) {
        float[] gamma = array(name + "/gamma:0").data();
        float[] beta = array(name + "/beta:0").data();
        float[] mean = array(name + "/moving_mean:0").data();
        float[] var = array(name + "/moving_variance:0").data();
        float[] scale = new float[gamma.length];
        float[] offset = new float[gamma.length];
        for (int i = 0; i < gamma.length; i++) {
            double s = gamma[i] / Math.sqrt(var[i] + 1e-3);
            scale[i] = (float) s;
            offset[i] = (float) (beta[i] - mean[i] * s);
        }
        long[] shape = {gamma.length};
        return tf.math.add(tf.math.mul(x, tf.constant(Shape.of(shape), DataBuffers.of(scale, true, false))),
                tf.constant(Shape.of(shape), DataBuffers.of(offset, true, false)));
    }
}

package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.GraphOps.longs;
import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import dev.mlapp.model.FloatArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Convolutions: plain (1D/2D, grouped, causal), depthwise, separable and transposed, all on TF's 2D kernels. */
final class ConvolutionLayers {

    private ConvolutionLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.addWeighted("Conv1D", oneInput((ops, layer, in) -> conv(ops, layer, in, 1)));
        layers.addWeighted("Conv2D", oneInput((ops, layer, in) -> conv(ops, layer, in, 2)));
        layers.addWeighted("DepthwiseConv2D", oneInput(ConvolutionLayers::depthwise));
        layers.addWeighted("SeparableConv1D", oneInput((ops, layer, in) -> separable(ops, layer, in, 1)));
        layers.addWeighted("SeparableConv2D", oneInput((ops, layer, in) -> separable(ops, layer, in, 2)));
        layers.addWeighted("Conv2DTranspose", oneInput(ConvolutionLayers::convTranspose));
    }

    static String tfPadding(String kerasPadding) {
        return kerasPadding.toUpperCase(Locale.ROOT);
    }

    private static KTensor conv(GraphOps ops, LayerConfig layer, KTensor in, int rank) {
        Ops tf = ops.tf();
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        FloatArray kernel = layer.weight(0, "kernel");
        int[] strides = layer.ints("strides", rank, 1);
        int[] dilation = layer.ints("dilation_rate", rank, 1);
        int[] kernelSize = Arrays.stream(kernel.shape()).limit(rank).mapToInt(d -> (int) d).toArray();
        String padding = layer.string("padding", "valid");
        int groups = layer.integer("groups", 1);
        Operand<TFloat32> w = ops.constant(kernel);
        if (rank == 1) {
            x = tf.expandDims(x, tf.constant(1));
            w = tf.expandDims(w, tf.constant(0));
            strides = new int[] {1, strides[0]};
            dilation = new int[] {1, dilation[0]};
            kernelSize = new int[] {1, kernelSize[0]};
        }
        if (padding.equals("causal")) {
            // Keras left-pads the time axis by the dilated kernel's reach, then convolves VALID
            int left = dilation[1] * (kernelSize[1] - 1);
            x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {0, 0}, {left, 0}, {0, 0}}), ops.scalar(0));
            padding = "valid";
        }
        Operand<TFloat32> y = groups == 1 ? conv2d(tf, x, w, strides, dilation, padding)
                : groupedConv(tf, x, w, groups, strides, dilation, padding);
        if (rank == 1) {
            y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        }
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, ops.constant(layer.weight(1, "bias")));
        }
        return ops.activate(layer, new KTensor(y, cf), layer.activation());
    }

    private static Operand<TFloat32> conv2d(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, int[] strides,
                                            int[] dilation, String padding) {
        return tf.nn.conv2d(x, w, longs(1, strides[0], strides[1], 1), tfPadding(padding),
                Conv2d.dilations(longs(1, dilation[0], dilation[1], 1)));
    }

    /** Keras's {@code groups}: the channels split into independent convolutions, outputs concatenated. */
    private static Operand<TFloat32> groupedConv(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, int groups,
                                                 int[] strides, int[] dilation, String padding) {
        var xs = tf.split(tf.constant(3), x, (long) groups);
        var ws = tf.split(tf.constant(3), w, (long) groups);
        List<Operand<TFloat32>> outs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            outs.add(conv2d(tf, xs.output().get(g), ws.output().get(g), strides, dilation, padding));
        }
        return tf.concat(outs, tf.constant(3));
    }

    /**
     * TensorFlow's CPU depthwise kernel refuses dilations, so a dilated depthwise kernel is spread out at import
     * with zeros between its taps: the same sums, and SAME padding sees the same effective size.
     */
    private static Operand<TFloat32> depthwiseOp(GraphOps ops, Operand<TFloat32> x, FloatArray kernel, int[] strides,
                                                 int[] dilation, String padding) {
        FloatArray k = dilation[0] == 1 && dilation[1] == 1 ? kernel : dilate(kernel, dilation);
        return ops.tf().nn.depthwiseConv2dNative(x, ops.constant(k), longs(1, strides[0], strides[1], 1),
                tfPadding(padding));
    }

    private static FloatArray dilate(FloatArray kernel, int[] rate) {
        long[] s = kernel.shape();
        int kh = (int) s[0];
        int kw = (int) s[1];
        int inner = (int) (s[2] * s[3]);
        int dh = (kh - 1) * rate[0] + 1;
        int dw = (kw - 1) * rate[1] + 1;
        float[] out = new float[dh * dw * inner];
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                System.arraycopy(kernel.data(), (i * kw + j) * inner, out, (i * rate[0] * dw + j * rate[1]) * inner,
                        inner);
            }
        }
        return new FloatArray(new long[] {dh, dw, s[2], s[3]}, out);
    }

    private static KTensor depthwise(GraphOps ops, LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        Operand<TFloat32> y = depthwiseOp(ops, x, layer.weight(0, "depthwise_kernel"),
                layer.ints("strides", 2, 1), layer.ints("dilation_rate", 2, 1), layer.string("padding", "valid"));
        if (layer.bool("use_bias", true)) {
            y = ops.tf().nn.biasAdd(y, ops.constant(layer.weight(1, "bias")));
        }
        return ops.activate(layer, new KTensor(y, cf), layer.activation());
    }

    private static KTensor separable(GraphOps ops, LayerConfig layer, KTensor in, int rank) {
        Ops tf = ops.tf();
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        FloatArray depthwise = layer.weight(0, "depthwise_kernel");
        FloatArray pointwise = layer.weight(1, "pointwise_kernel");
        int[] strides = layer.ints("strides", rank, 1);
        int[] dilation = layer.ints("dilation_rate", rank, 1);
        String padding = layer.string("padding", "valid");
        if (rank == 1) {
            x = tf.expandDims(x, tf.constant(1));
            depthwise = withLeadingOne(depthwise);
            pointwise = withLeadingOne(pointwise);
            strides = new int[] {1, strides[0]};
            dilation = new int[] {1, dilation[0]};
            if (padding.equals("causal")) {
                int left = dilation[1] * (int) (depthwise.shape()[1] - 1);
                x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {0, 0}, {left, 0}, {0, 0}}), ops.scalar(0));
                padding = "valid";
            }
        }
        Operand<TFloat32> y = depthwiseOp(ops, x, depthwise, strides, dilation, padding);
        y = tf.nn.conv2d(y, ops.constant(pointwise), longs(1, 1, 1, 1), "VALID");
        if (rank == 1) {
            y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        }
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, ops.constant(layer.weight(2, "bias")));
        }
        return ops.activate(layer, new KTensor(y, cf), layer.activation());
    }

    private static FloatArray withLeadingOne(FloatArray a) {
        long[] shape = new long[a.shape().length + 1];
        shape[0] = 1;
        System.arraycopy(a.shape(), 0, shape, 1, a.shape().length);
        return new FloatArray(shape, a.data());
    }

    private static KTensor convTranspose(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        FloatArray kernel = layer.weight(0, "kernel");
        int[] strides = layer.ints("strides", 2, 1);
        int[] dilation = layer.ints("dilation_rate", 2, 1);
        String padding = layer.string("padding", "valid");
        int[] outputPadding = layer.has("output_padding") ? layer.ints("output_padding", 2, 0) : null;
        long[] dims = x.shape().asArray();
        int[] size = new int[2];
        for (int i = 0; i < 2; i++) {
            size[i] = deconvLength((int) dims[i + 1], (int) kernel.shape()[i], padding, outputPadding == null ? null
                    : outputPadding[i], strides[i], dilation[i]);
        }
        Operand<TInt32> batch = tf.slice(tf.shape(x), ops.ints(0), ops.ints(1));
        Operand<TInt32> outputShape = tf.concat(List.of(batch, ops.ints(size[0], size[1], (int) kernel.shape()[2])),
                tf.constant(0));
        Operand<TFloat32> y = tf.nn.conv2dBackpropInput(outputShape, ops.constant(kernel), x,
                longs(1, strides[0], strides[1], 1), tfPadding(padding),
                Conv2dBackpropInput.dilations(longs(1, dilation[0], dilation[1], 1)));
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, ops.constant(layer.weight(1, "bias")));
        }
        return ops.activate(layer, new KTensor(y, cf), layer.activation());
    }

    /** keras conv_utils.deconv_output_length. */
    private static int deconvLength(int input, int filter, String padding, Integer outputPadding, int stride,
                                    int dilation) {
        int f = filter + (filter - 1) * (dilation - 1);
        if (outputPadding == null) {
            return switch (padding) {
                case "valid" -> input * stride + Math.max(f - stride, 0);
                case "full" -> input * stride - (stride + f - 2);
                default -> input * stride;
            };
        }
        int pad = switch (padding) {
            case "same" -> f / 2;
            case "full" -> f - 1;
            default -> 0;
        };
        return (input - 1) * stride + f - 2 * pad + outputPadding;
    }
}

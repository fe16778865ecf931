package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.mlapp.model.FloatArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.image.ResizeBicubic;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The one place that turns a Keras layer into TensorFlow ops, following each layer's {@code call} in Keras's own
 * source for inference ({@code training=False}): dropout and noise layers are identities, BatchNormalization uses
 * its moving statistics. Weights become graph constants.
 *
 * <p>Layouts: TensorFlow's CPU convolutions and pools take channels-last only, so a channels_first layer works on a
 * channels-last copy and hands on a {@link KTensor#transposed() transposed} tensor; layers that do not care about
 * the layout (activations, merges of like tensors, BatchNormalization with its axis remapped) pass it through, and
 * every other layer first restores Keras's logical layout.
 */
final class LayerOps {

    static final Set<String> SUPPORTED = new TreeSet<>(List.of(
            "InputLayer", "Dense", "Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
            "Conv2DTranspose", "BatchNormalization", "LayerNormalization", "Activation", "ReLU", "LeakyReLU",
            "PReLU", "ELU", "ThresholdedReLU", "Softmax", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
            "AveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D",
            "GlobalAveragePooling2D", "Flatten", "Reshape", "Permute", "ZeroPadding1D", "ZeroPadding2D",
            "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D", "Add", "Subtract", "Multiply", "Average",
            "Maximum", "Minimum", "Concatenate", "Rescaling", "Normalization", "Resizing", "CenterCrop",
            "Embedding", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
            "AlphaDropout", "GaussianNoise", "ActivityRegularization",
            "Sequential", "Functional", "Model", "TFOpLambda (" + String.join(", ", TfOpLambda.FUNCTIONS) + ")"));

    /** Layer classes that own variables (Normalization only when adapted; see GraphBuilder.hasWeights). */
    static final Set<String> WEIGHTED = Set.of("Dense", "Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv1D",
            "SeparableConv2D", "Conv2DTranspose", "BatchNormalization", "LayerNormalization", "PReLU", "Embedding",
            "Normalization");

    /** backend.epsilon(), the floor Normalization puts under the standard deviation. */
    private static final double KERAS_EPSILON = 1e-7;

    private final Ops tf;
    private final Activations activations;

    LayerOps(Ops tf, boolean keras3) {
        this.tf = tf;
        this.activations = new Activations(tf, keras3);
    }

    KTensor apply(LayerConfig layer, List<KTensor> inputs) {
        KTensor in = inputs.get(0);
        return switch (layer.className()) {
            case "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
                 "AlphaDropout", "GaussianNoise", "ActivityRegularization" -> in;
            case "Dense" -> dense(layer, in);
            case "Conv1D" -> conv(layer, in, 1);
            case "Conv2D" -> conv(layer, in, 2);
            case "DepthwiseConv2D" -> depthwise(layer, in);
            case "SeparableConv1D" -> separable(layer, in, 1);
            case "SeparableConv2D" -> separable(layer, in, 2);
            case "Conv2DTranspose" -> convTranspose(layer, in);
            case "BatchNormalization" -> batchNorm(layer, in);
            case "LayerNormalization" -> layerNorm(layer, in);
            case "Activation" -> activate(layer, in, layer.activation());
            case "ReLU" -> new KTensor(relu(in.value(), layer.number("negative_slope", 0),
                    layer.has("max_value") ? layer.number("max_value", 0) : null, layer.number("threshold", 0)),
                    in.transposed());
            case "LeakyReLU" -> new KTensor(relu(in.value(), layer.has("negative_slope")
                    ? layer.number("negative_slope", 0.3) : layer.number("alpha", 0.3), null, 0), in.transposed());
            case "PReLU" -> prelu(layer, logical(in));
            case "ELU" -> new KTensor(elu(in.value(), layer.number("alpha", 1.0)), in.transposed());
            case "ThresholdedReLU" -> new KTensor(tf.math.mul(in.value(), tf.dtypes.cast(
                    tf.math.greater(in.value(), scalar(layer.number("theta", 1.0))), TFloat32.class)),
                    in.transposed());
            case "Softmax" -> softmax(layer, logical(in));
            case "MaxPooling1D", "AveragePooling1D" -> pool(layer, in, 1);
            case "MaxPooling2D", "AveragePooling2D" -> pool(layer, in, 2);
            case "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D" ->
                    globalPool(layer, in);
            case "Flatten" -> flatten(layer, in);
            case "Reshape" -> reshape(layer, logical(in));
            case "Permute" -> permute(layer, logical(in));
            case "ZeroPadding1D", "ZeroPadding2D" -> zeroPad(layer, in);
            case "Cropping1D", "Cropping2D" -> crop(layer, in);
            case "UpSampling1D" -> upSample1d(layer, logical(in));
            case "UpSampling2D" -> upSample2d(layer, in);
            case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum" -> merge(layer, inputs);
            case "Concatenate" -> concatenate(layer, inputs);
            case "Rescaling" -> rescale(layer, logical(in));
            case "Normalization" -> normalize(layer, logical(in));
            case "Resizing" -> resize(layer, in);
            case "CenterCrop" -> centerCrop(layer, in);
            case "Embedding" -> embedding(layer, logical(in));
            case "TFOpLambda" -> new KTensor(TfOpLambda.apply(tf, layer, in.value()), in.transposed());
            default -> throw layer.unsupported("the importer has no translation for class " + layer.className()
                    + " (Lambda layers, custom classes and recurrent layers cannot be rebuilt without Python); "
                    + "supported layer classes: " + String.join(", ", SUPPORTED));
        };
    }

    // ---- layouts -----------------------------------------------------------------------------------------------

    /** The tensor in the layout Keras sees. */
    Operand<TFloat32> logicalValue(KTensor t) {
        if (!t.transposed()) {
            return t.value();
        }
        int r = t.rank();
        int[] perm = new int[r];
        perm[1] = r - 1;
        for (int i = 2; i < r; i++) {
            perm[i] = i - 1;
        }
        return tf.linalg.transpose(t.value(), tf.constant(perm));
    }

    KTensor logical(KTensor t) {
        return t.transposed() ? KTensor.of(logicalValue(t)) : t;
    }

    /** The channels-last form a layer with the given data_format computes on. */
    private Operand<TFloat32> channelsLast(KTensor t, boolean channelsFirst) {
        if (!channelsFirst) {
            return logicalValue(t);
        }
        if (t.transposed()) {
            return t.value();
        }
        int r = t.rank();
        int[] perm = new int[r];
        for (int i = 1; i < r - 1; i++) {
            perm[i] = i + 1;
        }
        perm[r - 1] = 1;
        return tf.linalg.transpose(t.value(), tf.constant(perm));
    }

    /** Where logical axis {@code axis} of a tensor lives in its held layout. */
    private static int physicalAxis(KTensor t, int axis) {
        int r = t.rank();
        int a = axis < 0 ? axis + r : axis;
        if (!t.transposed() || a == 0) {
            return a;
        }
        return a == 1 ? r - 1 : a - 1;
    }

    // ---- weights and constants ---------------------------------------------------------------------------------

    private Operand<TFloat32> constant(FloatArray array) {
        return tf.constant(Shape.of(array.shape()), DataBuffers.of(array.data(), true, false));
    }

    private Operand<TFloat32> constant(long[] shape, float[] data) {
        return tf.constant(Shape.of(shape), DataBuffers.of(data, true, false));
    }

    private Operand<TFloat32> scalar(double value) {
        return tf.constant((float) value);
    }

    private Operand<TInt32> ints(int... values) {
        return tf.constant(values);
    }

    private static List<Long> longs(int... values) {
        List<Long> out = new ArrayList<>();
        for (int v : values) {
            out.add((long) v);
        }
        return out;
    }

    private Operand<TFloat32> reshape(Operand<TFloat32> x, long... shape) {
        return tf.reshape(x, tf.constant(shape));
    }

    // ---- activations -------------------------------------------------------------------------------------------

    private KTensor activate(LayerConfig layer, KTensor x, String name) {
        if (!Activations.isElementwise(name)) {
            x = logical(x);
        }
        return new KTensor(activations.apply(name, x.value(), layer), x.transposed());
    }

    /** keras.backend.relu (tf.keras 2) / keras.activations.relu (Keras 3), term by term. */
    private Operand<TFloat32> relu(Operand<TFloat32> x, double negativeSlope, Double maxValue, double threshold) {
        Operand<TFloat32> negativePart = null;
        if (negativeSlope != 0) {
            if (maxValue == null && threshold == 0) {
                return tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha((float) negativeSlope));
            }
            negativePart = tf.nn.relu(threshold != 0 ? tf.math.add(tf.math.neg(x), scalar(threshold))
                    : tf.math.neg(x));
        }
        boolean clipMax = maxValue != null;
        Operand<TFloat32> y;
        if (threshold != 0) {
            y = tf.math.mul(x, tf.dtypes.cast(tf.math.greater(x, scalar(threshold)), TFloat32.class));
        } else if (maxValue != null && maxValue == 6) {
            y = tf.nn.relu6(x);
            clipMax = false;
        } else {
            y = tf.nn.relu(x);
        }
        if (clipMax) {
            y = tf.math.minimum(tf.math.maximum(y, scalar(0)), scalar(maxValue));
        }
        if (negativePart != null) {
            y = tf.math.sub(y, tf.math.mul(scalar(negativeSlope), negativePart));
        }
        return y;
    }

    private Operand<TFloat32> elu(Operand<TFloat32> x, double alpha) {
        if (alpha == 1.0) {
            return tf.nn.elu(x);
        }
        Operand<TFloat32> negative = tf.math.mul(scalar(alpha), tf.math.expm1(tf.math.minimum(x, scalar(0))));
        return tf.select(tf.math.greater(x, scalar(0)), x, negative);
    }

    private KTensor prelu(LayerConfig layer, KTensor in) {
        Operand<TFloat32> alpha = constant(layer.weight(0, "alpha"));
        Operand<TFloat32> x = in.value();
        Operand<TFloat32> negative = tf.math.mul(tf.math.neg(alpha), tf.nn.relu(tf.math.neg(x)));
        return KTensor.of(tf.math.add(tf.nn.relu(x), negative));
    }

    private KTensor softmax(LayerConfig layer, KTensor in) {
        int rank = in.rank();
        int[] axes = axes(layer.get("axis"), rank, -1);
        Operand<TFloat32> x = in.value();
        if (axes.length == 1 && axes[0] == rank - 1) {
            return KTensor.of(tf.nn.softmax(x));
        }
        Operand<TInt32> a = tf.constant(axes);
        Operand<TFloat32> e = tf.math.exp(tf.math.sub(x, tf.max(x, a, Max.keepDims(true))));
        return KTensor.of(tf.math.div(e, tf.sum(e, a, org.tensorflow.op.core.Sum.keepDims(true))));
    }

    /** An {@code axis} setting (int or list, possibly negative) as sorted non-negative axes. */
    private static int[] axes(JsonElement e, int rank, int fallback) {
        int[] axes;
        if (e == null) {
            axes = new int[] {fallback};
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            axes = new int[a.size()];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = a.get(i).getAsInt();
            }
        } else {
            axes = new int[] {e.getAsInt()};
        }
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        Arrays.sort(axes);
        return axes;
    }

    // ---- dense and convolutions --------------------------------------------------------------------------------

    private KTensor dense(LayerConfig layer, KTensor input) {
        KTensor in = logical(input);
        FloatArray kernel = layer.weight(0, "kernel");
        long units = kernel.shape()[1];
        Operand<TFloat32> x = in.value();
        long[] dims = in.dims();
        Operand<TFloat32> y;
        if (dims.length == 2) {
            y = tf.linalg.matMul(x, constant(kernel));
        } else {
            // tensordot over the last axis, as Keras's Dense does for rank > 2
            y = tf.linalg.matMul(reshape(x, -1, dims[dims.length - 1]), constant(kernel));
            long[] outShape = dims.clone();
            outShape[0] = -1;
            outShape[outShape.length - 1] = units;
            y = reshape(y, outShape);
        }
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, constant(layer.weight(1, "bias")));
        }
        return activate(layer, KTensor.of(y), layer.activation());
    }

    private KTensor conv(LayerConfig layer, KTensor in, int rank) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        FloatArray kernel = layer.weight(0, "kernel");
        int[] strides = layer.ints("strides", rank, 1);
        int[] dilation = layer.ints("dilation_rate", rank, 1);
        int[] kernelSize = Arrays.stream(kernel.shape()).limit(rank).mapToInt(d -> (int) d).toArray();
        String padding = layer.string("padding", "valid");
        int groups = layer.integer("groups", 1);
        Operand<TFloat32> w = constant(kernel);
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
            x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {0, 0}, {left, 0}, {0, 0}}), scalar(0));
            padding = "valid";
        }
        Operand<TFloat32> y = groups == 1 ? conv2d(x, w, strides, dilation, padding)
                : groupedConv(x, w, groups, strides, dilation, padding);
        if (rank == 1) {
            y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        }
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, constant(layer.weight(1, "bias")));
        }
        return activate(layer, new KTensor(y, cf), layer.activation());
    }

    private Operand<TFloat32> conv2d(Operand<TFloat32> x, Operand<TFloat32> w, int[] strides, int[] dilation,
                                     String padding) {
        return tf.nn.conv2d(x, w, longs(1, strides[0], strides[1], 1), padding.toUpperCase(),
                Conv2d.dilations(longs(1, dilation[0], dilation[1], 1)));
    }

    /** Keras's {@code groups}: the channels split into independent convolutions, outputs concatenated. */
    private Operand<TFloat32> groupedConv(Operand<TFloat32> x, Operand<TFloat32> w, int groups, int[] strides,
                                          int[] dilation, String padding) {
        var xs = tf.split(tf.constant(3), x, (long) groups);
        var ws = tf.split(tf.constant(3), w, (long) groups);
        List<Operand<TFloat32>> outs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            outs.add(conv2d(xs.output().get(g), ws.output().get(g), strides, dilation, padding));
        }
        return tf.concat(outs, tf.constant(3));
    }

    /**
     * TensorFlow's CPU depthwise kernel refuses dilations, so a dilated depthwise kernel is spread out at import
     * with zeros between its taps: the same sums, and SAME padding sees the same effective size.
     */
    private Operand<TFloat32> depthwiseOp(Operand<TFloat32> x, FloatArray kernel, int[] strides, int[] dilation,
                                          String padding) {
        FloatArray k = dilation[0] == 1 && dilation[1] == 1 ? kernel : dilate(kernel, dilation);
        return depthwiseOp(x, constant(k), strides, padding);
    }

    private Operand<TFloat32> depthwiseOp(Operand<TFloat32> x, Operand<TFloat32> kernel, int[] strides,
                                          String padding) {
        return tf.nn.depthwiseConv2dNative(x, kernel, longs(1, strides[0], strides[1], 1), padding.toUpperCase());
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

    private KTensor depthwise(LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        Operand<TFloat32> y = depthwiseOp(x, layer.weight(0, "depthwise_kernel"),
                layer.ints("strides", 2, 1), layer.ints("dilation_rate", 2, 1), layer.string("padding", "valid"));
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, constant(layer.weight(1, "bias")));
        }
        return activate(layer, new KTensor(y, cf), layer.activation());
    }

    private KTensor separable(LayerConfig layer, KTensor in, int rank) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
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
                x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {0, 0}, {left, 0}, {0, 0}}), scalar(0));
                padding = "valid";
            }
        }
        Operand<TFloat32> y = depthwiseOp(x, depthwise, strides, dilation, padding);
        y = tf.nn.conv2d(y, constant(pointwise), longs(1, 1, 1, 1), "VALID");
        if (rank == 1) {
            y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        }
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, constant(layer.weight(2, "bias")));
        }
        return activate(layer, new KTensor(y, cf), layer.activation());
    }

    private static FloatArray withLeadingOne(FloatArray a) {
        long[] shape = new long[a.shape().length + 1];
        shape[0] = 1;
        System.arraycopy(a.shape(), 0, shape, 1, a.shape().length);
        return new FloatArray(shape, a.data());
    }

    private KTensor convTranspose(LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
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
        Operand<TInt32> batch = tf.slice(tf.shape(x), ints(0), ints(1));
        Operand<TInt32> outputShape = tf.concat(List.of(batch, ints(size[0], size[1], (int) kernel.shape()[2])),
                tf.constant(0));
        Operand<TFloat32> y = tf.nn.conv2dBackpropInput(outputShape, constant(kernel), x,
                longs(1, strides[0], strides[1], 1), padding.toUpperCase(),
                Conv2dBackpropInput.dilations(longs(1, dilation[0], dilation[1], 1)));
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, constant(layer.weight(1, "bias")));
        }
        return activate(layer, new KTensor(y, cf), layer.activation());
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

    // ---- normalisation -----------------------------------------------------------------------------------------

    private KTensor batchNorm(LayerConfig layer, KTensor in) {
        int[] logicalAxes = axes(layer.get("axis"), in.rank(), -1);
        if (logicalAxes.length != 1) {
            throw layer.unsupported("BatchNormalization over several axes " + Arrays.toString(logicalAxes));
        }
        int axis = physicalAxis(in, logicalAxes[0]);
        int i = 0;
        FloatArray gamma = layer.bool("scale", true) ? layer.weight(i++, "gamma") : null;
        FloatArray beta = layer.bool("center", true) ? layer.weight(i++, "beta") : null;
        FloatArray mean = layer.weight(i++, "moving_mean");
        FloatArray variance = layer.weight(i, "moving_variance");
        double epsilon = layer.number("epsilon", 1e-3);
        // y = (x - mean) / sqrt(var + eps) * gamma + beta, folded in float64 into y = x * scale + offset
        int c = mean.data().length;
        float[] scale = new float[c];
        float[] offset = new float[c];
        for (int k = 0; k < c; k++) {
            double s = 1.0 / Math.sqrt((double) variance.data()[k] + epsilon) * (gamma == null ? 1 : gamma.data()[k]);
            scale[k] = (float) s;
            offset[k] = (float) ((beta == null ? 0 : beta.data()[k]) - mean.data()[k] * s);
        }
        long[] shape = broadcastShape(in.rank(), axis, c);
        Operand<TFloat32> y = tf.math.add(tf.math.mul(in.value(), constant(shape, scale)), constant(shape, offset));
        return new KTensor(y, in.transposed());
    }

    private static long[] broadcastShape(int rank, int axis, long size) {
        if (axis == rank - 1) {
            return new long[] {size};
        }
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[axis] = size;
        return shape;
    }

    private KTensor layerNorm(LayerConfig layer, KTensor input) {
        KTensor in = logical(input);
        int rank = in.rank();
        int[] axes = axes(layer.get("axis"), rank, -1);
        double epsilon = layer.number("epsilon", 1e-3);
        Operand<TFloat32> x = in.value();
        Operand<TInt32> a = tf.constant(axes);
        Operand<TFloat32> mean = tf.math.mean(x, a, Mean.keepDims(true));
        Operand<TFloat32> centered = tf.math.sub(x, mean);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), a, Mean.keepDims(true));
        Operand<TFloat32> y = tf.math.mul(centered, tf.math.rsqrt(tf.math.add(variance, scalar(epsilon))));
        long[] dims = in.dims();
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        for (int axis : axes) {
            shape[axis] = dims[axis];
        }
        int i = 0;
        if (layer.bool("scale", true)) {
            y = tf.math.mul(y, tf.reshape(constant(layer.weight(i++, "gamma")), tf.constant(shape)));
        }
        if (layer.bool("center", true)) {
            y = tf.math.add(y, tf.reshape(constant(layer.weight(i, "beta")), tf.constant(shape)));
        }
        return KTensor.of(y);
    }

    /** keras Normalization: (x - mean) / max(sqrt(variance), epsilon), or the inverse. */
    private KTensor normalize(LayerConfig layer, KTensor in) {
        int rank = in.rank();
        int[] axes = axes(layer.get("axis"), rank, -1);
        long[] dims = in.dims();
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        for (int axis : axes) {
            shape[axis] = dims[axis];
        }
        float[] mean;
        float[] variance;
        if (layer.has("mean") && layer.has("variance")) {
            mean = floats(layer.get("mean"));
            variance = floats(layer.get("variance"));
        } else {
            mean = layer.weight(0, "mean").data();
            variance = layer.weight(1, "variance").data();
        }
        int n = Math.toIntExact(FloatArray.elementCount(shape));
        float[] m = new float[n];
        float[] s = new float[n];
        for (int k = 0; k < n; k++) {
            m[k] = mean[mean.length == 1 ? 0 : k];
            s[k] = (float) Math.max(Math.sqrt(variance[variance.length == 1 ? 0 : k]), KERAS_EPSILON);
        }
        Operand<TFloat32> x = in.value();
        Operand<TFloat32> y = layer.bool("invert", false)
                ? tf.math.add(constant(shape, m), tf.math.mul(x, constant(shape, s)))
                : tf.math.div(tf.math.sub(x, constant(shape, m)), constant(shape, s));
        return KTensor.of(y);
    }

    private static float[] floats(JsonElement e) {
        if (!e.isJsonArray()) {
            return new float[] {e.getAsFloat()};
        }
        List<Float> values = new ArrayList<>();
        flattenInto(e, values);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static void flattenInto(JsonElement e, List<Float> out) {
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(child -> flattenInto(child, out));
        } else {
            out.add(e.getAsFloat());
        }
    }

    private KTensor rescale(LayerConfig layer, KTensor in) {
        float[] scale = floats(layer.get("scale"));
        float[] offset = layer.has("offset") ? floats(layer.get("offset")) : new float[] {0};
        Operand<TFloat32> s = scale.length == 1 ? scalar(scale[0]) : constant(new long[] {scale.length}, scale);
        Operand<TFloat32> o = offset.length == 1 ? scalar(offset[0]) : constant(new long[] {offset.length}, offset);
        return KTensor.of(tf.math.add(tf.math.mul(in.value(), s), o));
    }

    // ---- pooling -----------------------------------------------------------------------------------------------

    private KTensor pool(LayerConfig layer, KTensor in, int rank) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        int[] size = layer.ints("pool_size", rank, 2);
        int[] strides = layer.has("strides") ? layer.ints("strides", rank, 1) : size;
        String padding = layer.string("padding", "valid").toUpperCase();
        if (rank == 1) {
            x = tf.expandDims(x, tf.constant(1));
            size = new int[] {1, size[0]};
            strides = new int[] {1, strides[0]};
        }
        Operand<TFloat32> y = layer.className().startsWith("Max")
                ? tf.nn.maxPool(x, ints(1, size[0], size[1], 1), ints(1, strides[0], strides[1], 1), padding)
                : tf.nn.avgPool(x, longs(1, size[0], size[1], 1), longs(1, strides[0], strides[1], 1), padding);
        if (rank == 1) {
            y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        }
        return new KTensor(y, cf);
    }

    private KTensor globalPool(LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        int rank = in.rank();
        int[] spatial = new int[rank - 2];
        for (int i = 0; i < spatial.length; i++) {
            spatial[i] = i + 1;
        }
        boolean keepDims = layer.bool("keepdims", false);
        Operand<TFloat32> y = layer.className().startsWith("GlobalMax")
                ? tf.max(x, tf.constant(spatial), Max.keepDims(keepDims))
                : tf.math.mean(x, tf.constant(spatial), Mean.keepDims(keepDims));
        return new KTensor(y, cf && keepDims);
    }

    // ---- reshaping ---------------------------------------------------------------------------------------------

    private KTensor flatten(LayerConfig layer, KTensor in) {
        // Flatten(data_format="channels_first") moves channels last before flattening, like Keras does
        Operand<TFloat32> x = in.rank() > 2 ? channelsLast(in, layer.channelsFirst()) : logicalValue(in);
        long[] dims = x.shape().asArray();
        long count = 1;
        for (int i = 1; i < dims.length; i++) {
            count *= dims[i];
        }
        return KTensor.of(reshape(x, -1, count));
    }

    private KTensor reshape(LayerConfig layer, KTensor in) {
        JsonArray target = layer.get("target_shape").getAsJsonArray();
        long[] shape = new long[target.size() + 1];
        shape[0] = -1;
        for (int i = 0; i < target.size(); i++) {
            shape[i + 1] = target.get(i).isJsonNull() ? -1 : target.get(i).getAsLong();
        }
        return KTensor.of(reshape(in.value(), shape));
    }

    private KTensor permute(LayerConfig layer, KTensor in) {
        JsonArray dims = layer.get("dims").getAsJsonArray();
        int[] perm = new int[dims.size() + 1];
        for (int i = 0; i < dims.size(); i++) {
            perm[i + 1] = dims.get(i).getAsInt();
        }
        return KTensor.of(tf.linalg.transpose(in.value(), tf.constant(perm)));
    }

    /** A padding/cropping spec (int, pair, or pair per axis) as {before, after} per spatial axis. */
    private static int[][] pairs(JsonElement e, int rank) {
        int[][] out = new int[rank][2];
        for (int i = 0; i < rank; i++) {
            JsonElement axis = e.isJsonArray() ? (rank == 1 ? e : e.getAsJsonArray().get(i)) : e;
            if (axis.isJsonArray()) {
                out[i][0] = axis.getAsJsonArray().get(0).getAsInt();
                out[i][1] = axis.getAsJsonArray().get(1).getAsInt();
            } else {
                out[i][0] = axis.getAsInt();
                out[i][1] = axis.getAsInt();
            }
        }
        return out;
    }

    private KTensor zeroPad(LayerConfig layer, KTensor in) {
        int rank = layer.className().endsWith("1D") ? 1 : 2;
        boolean cf = rank == 2 && layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        int[][] p = pairs(layer.get("padding"), rank);
        int[][] paddings = new int[rank + 2][2];
        for (int i = 0; i < rank; i++) {
            paddings[i + 1] = p[i];
        }
        return new KTensor(tf.pad(x, tf.constant(paddings), scalar(0)), cf);
    }

    private KTensor crop(LayerConfig layer, KTensor in) {
        int rank = layer.className().endsWith("1D") ? 1 : 2;
        boolean cf = rank == 2 && layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        int[][] c = pairs(layer.get("cropping"), rank);
        long[] dims = x.shape().asArray();
        int[] begin = new int[rank + 2];
        int[] size = new int[rank + 2];
        size[0] = -1;
        size[rank + 1] = -1;
        for (int i = 0; i < rank; i++) {
            begin[i + 1] = c[i][0];
            size[i + 1] = (int) dims[i + 1] - c[i][0] - c[i][1];
        }
        return new KTensor(tf.slice(x, tf.constant(begin), tf.constant(size)), cf);
    }

    private KTensor upSample1d(LayerConfig layer, KTensor in) {
        int size = layer.integer("size", 2);
        long[] dims = in.dims();
        Operand<TFloat32> x = tf.expandDims(in.value(), tf.constant(2));
        x = tf.tile(x, tf.constant(new int[] {1, 1, size, 1}));
        return KTensor.of(reshape(x, -1, dims[1] * size, dims[2]));
    }

    private KTensor upSample2d(LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        int[] size = layer.ints("size", 2, 2);
        long[] dims = x.shape().asArray();
        Operand<TInt32> target = ints((int) dims[1] * size[0], (int) dims[2] * size[1]);
        return new KTensor(resizeTo(layer, x, target, layer.string("interpolation", "nearest")), cf);
    }

    /** tf.image.resize (antialias off), which Keras's UpSampling2D, Resizing and CenterCrop call. */
    private Operand<TFloat32> resizeTo(LayerConfig layer, Operand<TFloat32> x, Operand<TInt32> size, String method) {
        return switch (method) {
            case "nearest" -> tf.image.resizeNearestNeighbor(x, size, ResizeNearestNeighbor.halfPixelCenters(true));
            case "bilinear" -> tf.image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true));
            case "bicubic" -> tf.image.resizeBicubic(x, size, ResizeBicubic.halfPixelCenters(true));
            case "area" -> tf.image.resizeArea(x, size);
            default -> throw layer.unsupported("interpolation '" + method
                    + "' (supported: nearest, bilinear, bicubic, area)");
        };
    }

    private KTensor resize(LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        int height = layer.integer("height", 0);
        int width = layer.integer("width", 0);
        if (layer.bool("crop_to_aspect_ratio", false)) {
            x = cropToAspect(x, height, width);
        }
        if (layer.bool("pad_to_aspect_ratio", false)) {
            throw layer.unsupported("pad_to_aspect_ratio=True");
        }
        return new KTensor(resizeTo(layer, x, ints(height, width), layer.string("interpolation", "bilinear")), cf);
    }

    /** The largest centred window with the target's aspect ratio (keras smart_resize's crop). */
    private Operand<TFloat32> cropToAspect(Operand<TFloat32> x, int targetHeight, int targetWidth) {
        long[] dims = x.shape().asArray();
        int height = (int) dims[1];
        int width = (int) dims[2];
        int cropHeight = Math.min(height, (int) ((double) width * targetHeight / targetWidth));
        int cropWidth = Math.min(width, (int) ((double) height * targetWidth / targetHeight));
        int top = (int) ((height - cropHeight) / 2.0);
        int left = (int) ((width - cropWidth) / 2.0);
        return tf.slice(x, ints(0, top, left, 0), ints(-1, cropHeight, cropWidth, -1));
    }

    private KTensor centerCrop(LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = channelsLast(in, cf);
        int height = layer.integer("height", 0);
        int width = layer.integer("width", 0);
        long[] dims = x.shape().asArray();
        if (dims[1] >= height && dims[2] >= width) {
            int top = (int) ((dims[1] - height) / 2);
            int left = (int) ((dims[2] - width) / 2);
            return new KTensor(tf.slice(x, ints(0, top, left, 0), ints(-1, height, width, -1)), cf);
        }
        // smaller inputs are resized instead, as CenterCrop does through smart_resize
        x = cropToAspect(x, height, width);
        return new KTensor(resizeTo(layer, x, ints(height, width), "bilinear"), cf);
    }

    private KTensor embedding(LayerConfig layer, KTensor in) {
        Operand<TInt32> indices = tf.dtypes.cast(in.value(), TInt32.class);
        return KTensor.of(tf.gather(constant(layer.weight(0, "embeddings")), indices, tf.constant(0)));
    }

    // ---- merges ------------------------------------------------------------------------------------------------

    private List<KTensor> sameLayout(List<KTensor> inputs) {
        boolean allTransposed = inputs.stream().allMatch(KTensor::transposed);
        return allTransposed ? inputs : inputs.stream().map(this::logical).toList();
    }

    private KTensor merge(LayerConfig layer, List<KTensor> inputs) {
        List<KTensor> in = sameLayout(inputs);
        Operand<TFloat32> y = in.get(0).value();
        for (int i = 1; i < in.size(); i++) {
            Operand<TFloat32> x = in.get(i).value();
            y = switch (layer.className()) {
                case "Add", "Average" -> tf.math.add(y, x);
                case "Subtract" -> tf.math.sub(y, x);
                case "Multiply" -> tf.math.mul(y, x);
                case "Maximum" -> tf.math.maximum(y, x);
                default -> tf.math.minimum(y, x);
            };
        }
        if (layer.className().equals("Average")) {
            y = tf.math.div(y, scalar(in.size()));
        }
        return new KTensor(y, in.get(0).transposed());
    }

    private KTensor concatenate(LayerConfig layer, List<KTensor> inputs) {
        List<KTensor> in = sameLayout(inputs);
        int axis = physicalAxis(in.get(0), layer.integer("axis", -1));
        List<Operand<TFloat32>> values = in.stream().map(KTensor::value).toList();
        return new KTensor(tf.concat(values, tf.constant(axis)), in.get(0).transposed());
    }
}

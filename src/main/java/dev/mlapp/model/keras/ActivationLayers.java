package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The activation layers: Activation by name, and the parameterised ReLU family and Softmax. */
final class ActivationLayers {

    private ActivationLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.add("Activation", oneInput((ops, layer, in) -> ops.activate(layer, in, layer.activation())));
        layers.add("ReLU", oneInput((ops, layer, in) -> new KTensor(relu(ops, in.value(),
                layer.number("negative_slope", 0), layer.has("max_value") ? layer.number("max_value", 0) : null,
                layer.number("threshold", 0)), in.transposed())));
        layers.add("LeakyReLU", oneInput((ops, layer, in) -> new KTensor(relu(ops, in.value(),
                layer.has("negative_slope") ? layer.number("negative_slope", 0.3) : layer.number("alpha", 0.3),
                null, 0), in.transposed())));
        layers.addWeighted("PReLU", oneInput((ops, layer, in) -> prelu(ops, layer, ops.logical(in))));
        layers.add("ELU", oneInput((ops, layer, in) ->
                new KTensor(elu(ops, in.value(), layer.number("alpha", 1.0)), in.transposed())));
        layers.add("ThresholdedReLU", oneInput((ops, layer, in) -> new KTensor(ops.tf().math.mul(in.value(),
                ops.tf().dtypes.cast(ops.tf().math.greater(in.value(), ops.scalar(layer.number("theta", 1.0))),
                        TFloat32.class)), in.transposed())));
        layers.add("Softmax", oneInput((ops, layer, in) -> softmax(ops, layer, ops.logical(in))));
    }

    /** keras.backend.relu (tf.keras 2) / keras.activations.relu (Keras 3), term by term. */
    private static Operand<TFloat32> relu(GraphOps ops, Operand<TFloat32> x, double negativeSlope, Double maxValue,
                                          double threshold) {
        Ops tf = ops.tf();
        Operand<TFloat32> negativePart = null;
        if (negativeSlope != 0) {
            if (maxValue == null && threshold == 0) {
                return tf.nn.leakyRelu(x, LeakyRelu.alpha((float) negativeSlope));
            }
            negativePart = tf.nn.relu(threshold != 0 ? tf.math.add(tf.math.neg(x), ops.scalar(threshold))
                    : tf.math.neg(x));
        }
        boolean clipMax = maxValue != null;
        Operand<TFloat32> y;
        if (threshold != 0) {
            y = tf.math.mul(x, tf.dtypes.cast(tf.math.greater(x, ops.scalar(threshold)), TFloat32.class));
        } else if (maxValue != null && maxValue == 6) {
            y = tf.nn.relu6(x);
            clipMax = false;
        } else {
            y = tf.nn.relu(x);
        }
        if (clipMax) {
            y = tf.math.minimum(tf.math.maximum(y, ops.scalar(0)), ops.scalar(maxValue));
        }
        if (negativePart != null) {
            y = tf.math.sub(y, tf.math.mul(ops.scalar(negativeSlope), negativePart));
        }
        return y;
    }

    private static Operand<TFloat32> elu(GraphOps ops, Operand<TFloat32> x, double alpha) {
        Ops tf = ops.tf();
        if (alpha == 1.0) {
            return tf.nn.elu(x);
        }
        Operand<TFloat32> negative = tf.math.mul(ops.scalar(alpha), tf.math.expm1(tf.math.minimum(x, ops.scalar(0))));
        return tf.select(tf.math.greater(x, ops.scalar(0)), x, negative);
    }

    private static KTensor prelu(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        Operand<TFloat32> alpha = ops.constant(layer.weight(0, "alpha"));
        Operand<TFloat32> x = in.value();
        Operand<TFloat32> negative = tf.math.mul(tf.math.neg(alpha), tf.nn.relu(tf.math.neg(x)));
        return KTensor.of(tf.math.add(tf.nn.relu(x), negative));
    }

    private static KTensor softmax(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        int rank = in.rank();
        int[] axes = GraphOps.axes(layer.get("axis"), rank, -1);
        Operand<TFloat32> x = in.value();
        if (axes.length == 1 && axes[0] == rank - 1) {
            return KTensor.of(tf.nn.softmax(x));
        }
        Operand<TInt32> a = tf.constant(axes);
        Operand<TFloat32> e = tf.math.exp(tf.math.sub(x, tf.max(x, a, Max.keepDims(true))));
        return KTensor.of(tf.math.div(e, tf.sum(e, a, Sum.keepDims(true))));
    }
}

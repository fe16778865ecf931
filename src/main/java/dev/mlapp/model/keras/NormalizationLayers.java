package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import dev.mlapp.model.FloatArray;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** BatchNormalization (its moving statistics, as at inference) and LayerNormalization. */
final class NormalizationLayers {

    private NormalizationLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.addWeighted("BatchNormalization", oneInput(NormalizationLayers::batchNorm));
        layers.addWeighted("LayerNormalization", oneInput(NormalizationLayers::layerNorm));
    }

    private static KTensor batchNorm(GraphOps ops, LayerConfig layer, KTensor in) {
        int[] logicalAxes = GraphOps.axes(layer.get("axis"), in.rank(), -1);
        if (logicalAxes.length != 1) {
            throw layer.unsupported("BatchNormalization over several axes " + Arrays.toString(logicalAxes));
        }
        int axis = GraphOps.physicalAxis(in, logicalAxes[0]);
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
        Ops tf = ops.tf();
        Operand<TFloat32> y = tf.math.add(tf.math.mul(in.value(), ops.constant(shape, scale)),
                ops.constant(shape, offset));
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

    private static KTensor layerNorm(GraphOps ops, LayerConfig layer, KTensor input) {
        Ops tf = ops.tf();
        KTensor in = ops.logical(input);
        int rank = in.rank();
        int[] axes = GraphOps.axes(layer.get("axis"), rank, -1);
        double epsilon = layer.number("epsilon", 1e-3);
        Operand<TFloat32> x = in.value();
        Operand<TInt32> a = tf.constant(axes);
        Operand<TFloat32> mean = tf.math.mean(x, a, Mean.keepDims(true));
        Operand<TFloat32> centered = tf.math.sub(x, mean);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), a, Mean.keepDims(true));
        Operand<TFloat32> y = tf.math.mul(centered, tf.math.rsqrt(tf.math.add(variance, ops.scalar(epsilon))));
        long[] dims = in.dims();
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        for (int axis : axes) {
            shape[axis] = dims[axis];
        }
        int i = 0;
        if (layer.bool("scale", true)) {
            y = tf.math.mul(y, tf.reshape(ops.constant(layer.weight(i++, "gamma")), tf.constant(shape)));
        }
        if (layer.bool("center", true)) {
            y = tf.math.add(y, tf.reshape(ops.constant(layer.weight(i, "beta")), tf.constant(shape)));
        }
        return KTensor.of(y);
    }
}

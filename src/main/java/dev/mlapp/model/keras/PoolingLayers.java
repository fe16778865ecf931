package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.GraphOps.longs;
import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/** Max and average pooling, windowed (1D/2D) and global. */
final class PoolingLayers {

    private PoolingLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.add("MaxPooling1D", oneInput((ops, layer, in) -> pool(ops, layer, in, 1, true)));
        layers.add("AveragePooling1D", oneInput((ops, layer, in) -> pool(ops, layer, in, 1, false)));
        layers.add("MaxPooling2D", oneInput((ops, layer, in) -> pool(ops, layer, in, 2, true)));
        layers.add("AveragePooling2D", oneInput((ops, layer, in) -> pool(ops, layer, in, 2, false)));
        for (String rank : new String[] {"1D", "2D"}) {
            layers.add("GlobalMaxPooling" + rank, oneInput((ops, layer, in) -> globalPool(ops, layer, in, true)));
            layers.add("GlobalAveragePooling" + rank,
                    oneInput((ops, layer, in) -> globalPool(ops, layer, in, false)));
        }
    }

    private static KTensor pool(GraphOps ops, LayerConfig layer, KTensor in, int rank, boolean max) {
        Ops tf = ops.tf();
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int[] size = layer.ints("pool_size", rank, 2);
        int[] strides = layer.has("strides") ? layer.ints("strides", rank, 1) : size;
        String padding = ConvolutionLayers.tfPadding(layer.string("padding", "valid"));
        if (rank == 1) {
            x = tf.expandDims(x, tf.constant(1));
            size = new int[] {1, size[0]};
            strides = new int[] {1, strides[0]};
        }
        Operand<TFloat32> y = max
                ? tf.nn.maxPool(x, ops.ints(1, size[0], size[1], 1), ops.ints(1, strides[0], strides[1], 1), padding)
                : tf.nn.avgPool(x, longs(1, size[0], size[1], 1), longs(1, strides[0], strides[1], 1), padding);
        if (rank == 1) {
            y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        }
        return new KTensor(y, cf);
    }

    private static KTensor globalPool(GraphOps ops, LayerConfig layer, KTensor in, boolean max) {
        Ops tf = ops.tf();
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int rank = in.rank();
        int[] spatial = new int[rank - 2];
        for (int i = 0; i < spatial.length; i++) {
            spatial[i] = i + 1;
        }
        boolean keepDims = layer.bool("keepdims", false);
        if (!max && in.mask() != null) {
            return KTensor.of(Masks.maskedAverage(tf, ops.logicalValue(in), in.mask(), cf, keepDims));
        }
        Operand<TFloat32> y = max
                ? tf.max(x, tf.constant(spatial), Max.keepDims(keepDims))
                : tf.math.mean(x, tf.constant(spatial), Mean.keepDims(keepDims));
        return new KTensor(y, cf && keepDims);
    }
}

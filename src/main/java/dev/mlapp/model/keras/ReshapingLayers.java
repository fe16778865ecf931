package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Layers that move values around: Flatten, Reshape, Permute, padding, cropping and up-sampling. */
final class ReshapingLayers {

    private ReshapingLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.add("Flatten", oneInput(ReshapingLayers::flatten));
        layers.add("Reshape", oneInput((ops, layer, in) -> reshape(ops, layer, ops.logical(in))));
        layers.add("Permute", oneInput((ops, layer, in) -> permute(ops, layer, ops.logical(in))));
        layers.add("ZeroPadding1D", oneInput((ops, layer, in) -> zeroPad(ops, layer, in, 1)));
        layers.add("ZeroPadding2D", oneInput((ops, layer, in) -> zeroPad(ops, layer, in, 2)));
        layers.add("Cropping1D", oneInput((ops, layer, in) -> crop(ops, layer, in, 1)));
        layers.add("Cropping2D", oneInput((ops, layer, in) -> crop(ops, layer, in, 2)));
        layers.add("UpSampling1D", oneInput((ops, layer, in) -> upSample1d(ops, layer, ops.logical(in))));
        layers.add("UpSampling2D", oneInput(ReshapingLayers::upSample2d));
    }

    private static KTensor flatten(GraphOps ops, LayerConfig layer, KTensor in) {
        // Flatten(data_format="channels_first") moves channels last before flattening, like Keras does
        Operand<TFloat32> x = in.rank() > 2 ? ops.channelsLast(in, layer.channelsFirst()) : ops.logicalValue(in);
        long[] dims = x.shape().asArray();
        long count = 1;
        for (int i = 1; i < dims.length; i++) {
            count *= dims[i];
        }
        return KTensor.of(ops.reshape(x, -1, count));
    }

    /**
     * Keras's {@code Reshape.call}: the {@code -1} in {@code target_shape} is resolved from the input's known
     * dimensions ({@code operation_utils.compute_reshape_output_shape}), and the batch is the input's own; a target
     * that cannot hold the input is refused here, at load, rather than by TensorFlow at the first prediction.
     */
    private static KTensor reshape(GraphOps ops, LayerConfig layer, KTensor in) {
        JsonArray target = layer.get("target_shape").getAsJsonArray();
        long[] shape = new long[target.size() + 1];
        shape[0] = -1;
        int open = -1;
        long known = 1;
        for (int i = 0; i < target.size(); i++) {
            shape[i + 1] = target.get(i).isJsonNull() ? -1 : target.get(i).getAsLong();
            if (shape[i + 1] < 0) {
                if (open >= 0) {
                    throw layer.unsupported("its target_shape " + target + " has more than one unknown dimension");
                }
                open = i + 1;
            } else {
                known *= shape[i + 1];
            }
        }
        long[] dims = in.dims();
        long size = 1;
        for (int i = 1; i < dims.length; i++) {
            size = dims[i] < 0 || size < 0 ? -1 : size * dims[i];
        }
        if (size >= 0 && open >= 0) {
            if (known == 0 || size % known != 0) {
                throw layer.unsupported("its target_shape " + target + " cannot hold its input of shape "
                        + shapeOf(dims) + " (" + size + " values per item)");
            }
            shape[open] = size / known;
            open = -1;
        } else if (size >= 0 && size != known) {
            throw layer.unsupported("its target_shape " + target + " holds " + known + " values per item but its "
                    + "input of shape " + shapeOf(dims) + " holds " + size);
        }
        if (open < 0) {
            return KTensor.of(ops.reshape(in.value(), shape));
        }
        // an unknown input length: the batch comes from the tensor itself, the one -1 is TensorFlow's to infer
        Ops tf = ops.tf();
        long[] rest = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        Operand<org.tensorflow.types.TInt64> batch = tf.slice(tf.shape(in.value(), org.tensorflow.types.TInt64.class),
                tf.constant(new long[] {0}), tf.constant(new long[] {1}));
        return KTensor.of(tf.reshape(in.value(), tf.concat(java.util.List.of(batch, tf.constant(rest)), tf.constant(0))));
    }

    private static String shapeOf(long[] dims) {
        StringBuilder b = new StringBuilder("(None");
        for (int i = 1; i < dims.length; i++) {
            b.append(", ").append(dims[i] < 0 ? "None" : Long.toString(dims[i]));
        }
        return b.append(")").toString();
    }

    private static KTensor permute(GraphOps ops, LayerConfig layer, KTensor in) {
        JsonArray dims = layer.get("dims").getAsJsonArray();
        int[] perm = new int[dims.size() + 1];
        for (int i = 0; i < dims.size(); i++) {
            perm[i + 1] = dims.get(i).getAsInt();
        }
        return KTensor.of(ops.tf().linalg.transpose(in.value(), ops.tf().constant(perm)));
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

    private static KTensor zeroPad(GraphOps ops, LayerConfig layer, KTensor in, int rank) {
        Ops tf = ops.tf();
        boolean cf = rank == 2 && layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int[][] p = pairs(layer.get("padding"), rank);
        int[][] paddings = new int[rank + 2][2];
        for (int i = 0; i < rank; i++) {
            paddings[i + 1] = p[i];
        }
        return new KTensor(tf.pad(x, tf.constant(paddings), ops.scalar(0)), cf);
    }

    private static KTensor crop(GraphOps ops, LayerConfig layer, KTensor in, int rank) {
        Ops tf = ops.tf();
        boolean cf = rank == 2 && layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
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

    private static KTensor upSample1d(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        int size = layer.integer("size", 2);
        long[] dims = in.dims();
        Operand<TFloat32> x = tf.expandDims(in.value(), tf.constant(2));
        x = tf.tile(x, tf.constant(new int[] {1, 1, size, 1}));
        return KTensor.of(ops.reshape(x, -1, dims[1] * size, dims[2]));
    }

    private static KTensor upSample2d(GraphOps ops, LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int[] size = layer.ints("size", 2, 2);
        long[] dims = x.shape().asArray();
        Operand<TInt32> target = ops.ints((int) dims[1] * size[0], (int) dims[2] * size[1]);
        return new KTensor(PreprocessingLayers.resizeTo(ops, layer, x, target,
                layer.string("interpolation", "nearest")), cf);
    }
}

package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import dev.mlapp.model.FloatArray;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBicubic;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Keras preprocessing layers as they run inside a model at inference: rescaling, normalising, resizing, cropping. */
final class PreprocessingLayers {

    /** backend.epsilon(), the floor Normalization puts under the standard deviation. */
    private static final double KERAS_EPSILON = 1e-7;

    private PreprocessingLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.add("Rescaling", oneInput((ops, layer, in) -> rescale(ops, layer, ops.logical(in))));
        // adapted statistics are variables; mean/variance given to the constructor live in the config
        layers.add("Normalization", config -> !(config.has("mean") && !config.get("mean").isJsonNull()),
                oneInput((ops, layer, in) -> normalize(ops, layer, ops.logical(in))));
        layers.add("Resizing", oneInput(PreprocessingLayers::resize));
        layers.add("CenterCrop", oneInput(PreprocessingLayers::centerCrop));
    }

    /** keras Normalization: (x - mean) / max(sqrt(variance), epsilon), or the inverse. */
    private static KTensor normalize(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        int rank = in.rank();
        int[] axes = GraphOps.axes(layer.get("axis"), rank, -1);
        long[] dims = in.dims();
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        for (int axis : axes) {
            shape[axis] = dims[axis];
        }
        float[] mean;
        float[] variance;
        if (layer.has("mean") && layer.has("variance")) {
            mean = GraphOps.floats(layer.get("mean"));
            variance = GraphOps.floats(layer.get("variance"));
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
                ? tf.math.add(ops.constant(shape, m), tf.math.mul(x, ops.constant(shape, s)))
                : tf.math.div(tf.math.sub(x, ops.constant(shape, m)), ops.constant(shape, s));
        return KTensor.of(y);
    }

    private static KTensor rescale(GraphOps ops, LayerConfig layer, KTensor in) {
        float[] scale = GraphOps.floats(layer.get("scale"));
        float[] offset = layer.has("offset") ? GraphOps.floats(layer.get("offset")) : new float[] {0};
        Operand<TFloat32> s = scale.length == 1 ? ops.scalar(scale[0])
                : ops.constant(new long[] {scale.length}, scale);
        Operand<TFloat32> o = offset.length == 1 ? ops.scalar(offset[0])
                : ops.constant(new long[] {offset.length}, offset);
        return KTensor.of(ops.tf().math.add(ops.tf().math.mul(in.value(), s), o));
    }

    /** tf.image.resize (antialias off), which Keras's UpSampling2D, Resizing and CenterCrop call. */
    static Operand<TFloat32> resizeTo(GraphOps ops, LayerConfig layer, Operand<TFloat32> x, Operand<TInt32> size,
                                      String method) {
        Ops tf = ops.tf();
        return switch (method) {
            case "nearest" -> tf.image.resizeNearestNeighbor(x, size, ResizeNearestNeighbor.halfPixelCenters(true));
            case "bilinear" -> tf.image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true));
            case "bicubic" -> tf.image.resizeBicubic(x, size, ResizeBicubic.halfPixelCenters(true));
            case "area" -> tf.image.resizeArea(x, size);
            default -> throw layer.unsupported("interpolation '" + method
                    + "' (supported: nearest, bilinear, bicubic, area)");
        };
    }

    private static KTensor resize(GraphOps ops, LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int height = layer.integer("height", 0);
        int width = layer.integer("width", 0);
        if (layer.bool("crop_to_aspect_ratio", false)) {
            x = cropToAspect(ops, x, height, width);
        }
        if (layer.bool("pad_to_aspect_ratio", false)) {
            throw layer.unsupported("pad_to_aspect_ratio=True");
        }
        return new KTensor(resizeTo(ops, layer, x, ops.ints(height, width),
                layer.string("interpolation", "bilinear")), cf);
    }

    /** The largest centred window with the target's aspect ratio (keras smart_resize's crop). */
    private static Operand<TFloat32> cropToAspect(GraphOps ops, Operand<TFloat32> x, int targetHeight,
                                                  int targetWidth) {
        long[] dims = x.shape().asArray();
        int height = (int) dims[1];
        int width = (int) dims[2];
        int cropHeight = Math.min(height, (int) ((double) width * targetHeight / targetWidth));
        int cropWidth = Math.min(width, (int) ((double) height * targetWidth / targetHeight));
        int top = (int) ((height - cropHeight) / 2.0);
        int left = (int) ((width - cropWidth) / 2.0);
        return ops.tf().slice(x, ops.ints(0, top, left, 0), ops.ints(-1, cropHeight, cropWidth, -1));
    }

    private static KTensor centerCrop(GraphOps ops, LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int height = layer.integer("height", 0);
        int width = layer.integer("width", 0);
        long[] dims = x.shape().asArray();
        if (dims[1] >= height && dims[2] >= width) {
            int top = (int) ((dims[1] - height) / 2);
            int left = (int) ((dims[2] - width) / 2);
            return new KTensor(ops.tf().slice(x, ops.ints(0, top, left, 0), ops.ints(-1, height, width, -1)), cf);
        }
        // smaller inputs are resized instead, as CenterCrop does through smart_resize
        x = cropToAspect(ops, x, height, width);
        return new KTensor(resizeTo(ops, layer, x, ops.ints(height, width), "bilinear"), cf);
    }
}

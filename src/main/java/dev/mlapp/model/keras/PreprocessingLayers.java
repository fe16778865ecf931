package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import dev.mlapp.model.FloatArray;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBicubic;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras preprocessing layers as they run inside a model at inference ({@code training=False}): rescaling, normalising,
 * resizing and cropping compute; the random augmentations return their input.
 */
final class PreprocessingLayers {

    /** backend.epsilon(), the floor Normalization puts under the standard deviation. */
    private static final double KERAS_EPSILON = 1e-7;

    /**
     * Augmentations that return their input at inference. Keras 3: {@code BaseImagePreprocessingLayer.transform_images}
     * applies the transformation only {@code if training} (keras/src/layers/preprocessing/image_preprocessing/
     * base_image_preprocessing_layer.py; the geometric layers use it), and the colour layers' own
     * {@code transform_images} (random_flip.py, random_contrast.py, random_brightness.py...) do the same. tf.keras 2:
     * each layer's {@code call} returns {@code inputs} unless training. RandomHeight/RandomWidth exist only in
     * tf.keras 2, where inference returns the input too.
     */
    static final List<String> INFERENCE_IDENTITIES = List.of("RandomFlip", "RandomRotation", "RandomZoom",
            "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomHeight", "RandomWidth", "RandomShear",
            "RandomPerspective", "RandomElasticTransform", "RandomGrayscale", "RandomHue", "RandomSaturation",
            "RandomSharpness", "RandomColorJitter", "RandomColorDegeneration", "RandomPosterization", "RandomInvert",
            "RandomErasing", "RandomGaussianBlur", "Solarization", "AugMix", "RandAugment", "MixUp", "CutMix");

    /** Every interpolation Keras's Resizing accepts (tf.keras 2 adds gaussian and mitchellcubic to Keras 3's six). */
    static final List<String> INTERPOLATIONS = List.of("nearest", "bilinear", "bicubic", "area", "lanczos3",
            "lanczos5", "gaussian", "mitchellcubic");

    private PreprocessingLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        INFERENCE_IDENTITIES.forEach(cls -> layers.add(cls, LayerTranslation.identity()));
        layers.add("RandomCrop", oneInput(PreprocessingLayers::randomCrop));
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

    /** tf.image.resize without antialiasing, which Keras's UpSampling2D and CenterCrop call. */
    static Operand<TFloat32> resizeTo(GraphOps ops, LayerConfig layer, Operand<TFloat32> x, Operand<TInt32> size,
                                      String method) {
        return resizeTo(ops, layer, x, size, method, false);
    }

    /**
     * tf.image.resize (image_ops_impl.resize_images_v2): half-pixel nearest/bilinear/bicubic kernels and area as they
     * are; bilinear and bicubic with antialias, and the lanczos, gaussian and mitchellcubic kernels always, through
     * ScaleAndTranslate with scale = new size / old size and no translation (antialias widens the kernel when
     * shrinking; nearest and area ignore it).
     */
    static Operand<TFloat32> resizeTo(GraphOps ops, LayerConfig layer, Operand<TFloat32> x, Operand<TInt32> size,
                                      String method, boolean antialias) {
        Ops tf = ops.tf();
        return switch (method) {
            case "nearest" -> tf.image.resizeNearestNeighbor(x, size, ResizeNearestNeighbor.halfPixelCenters(true));
            case "bilinear" -> antialias ? scaleAndTranslate(ops, x, size, "triangle", true)
                    : tf.image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true));
            case "bicubic" -> antialias ? scaleAndTranslate(ops, x, size, "keyscubic", true)
                    : tf.image.resizeBicubic(x, size, ResizeBicubic.halfPixelCenters(true));
            case "area" -> tf.image.resizeArea(x, size);
            case "lanczos3", "lanczos5", "gaussian", "mitchellcubic" -> scaleAndTranslate(ops, x, size, method,
                    antialias);
            default -> throw layer.unsupported("interpolation '" + method + "' (supported: "
                    + String.join(", ", INTERPOLATIONS) + ")");
        };
    }

    private static Operand<TFloat32> scaleAndTranslate(GraphOps ops, Operand<TFloat32> x, Operand<TInt32> size,
                                                       String kernel, boolean antialias) {
        Ops tf = ops.tf();
        Operand<TInt32> inputSize = tf.slice(tf.shape(x), ops.ints(1), ops.ints(2));
        Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(size, TFloat32.class),
                tf.dtypes.cast(inputSize, TFloat32.class));
        return tf.image.scaleAndTranslate(x, size, scale, tf.constant(new float[] {0, 0}),
                ScaleAndTranslate.kernelType(kernel), ScaleAndTranslate.antialias(antialias));
    }

    private static KTensor resize(GraphOps ops, LayerConfig layer, KTensor in) {
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int height = layer.integer("height", 0);
        int width = layer.integer("width", 0);
        if (layer.bool("crop_to_aspect_ratio", false)) {
            x = cropToAspect(ops, x, height, width);
        } else if (layer.bool("pad_to_aspect_ratio", false)) {
            x = padToAspect(ops, x, height, width, layer.number("fill_value", 0));
        }
        return new KTensor(resizeTo(ops, layer, x, ops.ints(height, width),
                layer.string("interpolation", "bilinear"), layer.bool("antialias", false)), cf);
    }

    /**
     * Keras 3's pad_to_aspect_ratio (backend/tensorflow/image.py resize): the side that is too short gets
     * {@code (target - current) / 2} rows (or columns) of fill_value on both ends, before resizing.
     */
    private static Operand<TFloat32> padToAspect(GraphOps ops, Operand<TFloat32> x, int targetHeight,
                                                 int targetWidth, double fill) {
        long[] dims = x.shape().asArray();
        int height = (int) dims[1];
        int width = (int) dims[2];
        int padHeight = Math.max(height, (int) ((float) (width * targetHeight) / targetWidth));
        int padWidth = Math.max(width, (int) ((float) (height * targetWidth) / targetHeight));
        int top = (int) ((float) (padHeight - height) / 2);
        int left = (int) ((float) (padWidth - width) / 2);
        if (top == 0 && left == 0) {
            return x;
        }
        int[][] paddings = {{0, 0}, {top, top}, {left, left}, {0, 0}};
        return ops.tf().pad(x, ops.tf().constant(paddings), ops.scalar(fill));
    }

    /**
     * RandomCrop at inference changed with Keras versions, and each file gets what its Keras computed: tf.keras 2 and
     * Keras 3.0–3.5 {@code smart_resize} the input (largest centred window of the target's aspect ratio, then
     * bilinear resize); Keras 3.6–3.7 slice {@code height × width} from that window's top-left corner and resize
     * only if the slice came out smaller; Keras 3.8+ (commit 3dd958b, "Add training status condition during image
     * processing") return the input unchanged.
     */
    private static KTensor randomCrop(GraphOps ops, LayerConfig layer, KTensor in) {
        if (ops.kerasAtLeast(3, 8)) {
            return in;
        }
        boolean cf = layer.channelsFirst();
        Operand<TFloat32> x = ops.channelsLast(in, cf);
        int height = layer.integer("height", 0);
        int width = layer.integer("width", 0);
        if (!ops.kerasAtLeast(3, 6)) {
            x = cropToAspect(ops, x, height, width);
            return new KTensor(resizeTo(ops, layer, x, ops.ints(height, width), "bilinear"), cf);
        }
        long[] dims = x.shape().asArray();
        int cropHeight = Math.max(Math.min((int) dims[1], (int) ((double) dims[2] * height / width)), 1);
        int cropWidth = Math.max(Math.min((int) dims[2], (int) ((double) dims[1] * width / height)), 1);
        int top = (int) ((dims[1] - cropHeight) / 2.0);
        int left = (int) ((dims[2] - cropWidth) / 2.0);
        int sliceHeight = (int) Math.min(height, dims[1] - top);
        int sliceWidth = (int) Math.min(width, dims[2] - left);
        x = ops.tf().slice(x, ops.ints(0, top, left, 0), ops.ints(-1, sliceHeight, sliceWidth, -1));
        if (sliceHeight != height || sliceWidth != width) {
            x = resizeTo(ops, layer, x, ops.ints(height, width), "bilinear");
        }
        return new KTensor(x, cf);
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

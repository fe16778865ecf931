package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * tf.keras 2.4+ records TensorFlow functions applied to Keras tensors as {@code TFOpLambda} layers, with the other
 * operand among the call's kwargs: MobileNetV3's {@code hard_sigmoid} is {@code ReLU(6.)(x + 3.) * (1. / 6.)}, saved as
 * {@code tf.__operators__.add {"y": 3.0}} and {@code tf.math.multiply {"y": 0.1666…}}; ConvNeXt's residual
 * {@code inputs + x} as {@code tf.__operators__.add {"y": ["layer", 0, 0]}}, the other operand a tensor. The
 * elementwise functions with a constant or tensor operand are translated; any other function is refused by name.
 */
final class TfOpLambda {

    static final List<String> FUNCTIONS = List.of("__operators__.add", "math.add", "math.multiply",
            "math.subtract", "math.truediv", "nn.relu", "nn.relu6", "math.sigmoid", "math.tanh", "nn.silu");

    /** The functions whose second operand may be a constant or a tensor. */
    private static final List<String> BINARY = List.of("__operators__.add", "math.add", "math.multiply",
            "math.subtract", "math.truediv");

    private TfOpLambda() {
    }

    /** {@code inputs}: the call's first argument, then any tensor among its kwargs ({@code y} of x + y). */
    static KTensor apply(GraphOps ops, LayerConfig layer, List<KTensor> inputs) {
        KTensor in = inputs.get(0);
        Operand<TFloat32> y = null;
        if (inputs.size() > 1) {
            KTensor other = inputs.get(1);
            if (inputs.size() > 2 || other.transposed() != in.transposed()) {
                throw layer.unsupported("tf." + layer.string("function", "?") + " takes " + inputs.size()
                        + " tensors in a layout the importer does not combine");
            }
            y = other.value();
        }
        return new KTensor(apply(ops.tf(), layer, in.value(), y), in.transposed());
    }

    private static Operand<TFloat32> apply(Ops tf, LayerConfig layer, Operand<TFloat32> x, Operand<TFloat32> y) {
        String function = layer.string("function", "?");
        if (y != null && !BINARY.contains(function)) {
            throw layer.unsupported("tf." + function + " is called with a second tensor, which it does not take");
        }
        return switch (function) {
            case "__operators__.add", "math.add" -> tf.math.add(x, y != null ? y : operand(tf, layer, function));
            case "math.multiply" -> tf.math.mul(x, y != null ? y : operand(tf, layer, function));
            case "math.subtract" -> tf.math.sub(x, y != null ? y : operand(tf, layer, function));
            case "math.truediv" -> tf.math.div(x, y != null ? y : operand(tf, layer, function));
            case "nn.relu" -> tf.nn.relu(x);
            case "nn.relu6" -> tf.nn.relu6(x);
            case "math.sigmoid" -> tf.math.sigmoid(x);
            case "math.tanh" -> tf.math.tanh(x);
            case "nn.silu" -> tf.math.mul(x, tf.math.sigmoid(x));
            default -> throw layer.unsupported("TensorFlow function tf." + function + " has no translation; "
                    + "supported TFOpLambda functions: " + String.join(", ", FUNCTIONS));
        };
    }

    /**
     * The constant operand: a number, or a nested list of numbers (a tensor TensorFlow made from a Python list, such
     * as EfficientNet's (1, 1, 1, 3) ImageNet scale), which broadcasts against x as NumPy does.
     */
    private static Operand<TFloat32> operand(Ops tf, LayerConfig layer, String function) {
        JsonElement y = layer.callArguments().get("y");
        if (y != null && y.isJsonPrimitive() && y.getAsJsonPrimitive().isNumber()) {
            return tf.constant(y.getAsFloat());
        }
        List<Long> shape = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        if (y == null || !nestedNumbers(y, 0, shape, values)) {
            throw layer.unsupported("tf." + function + " is applied to " + y
                    + "; only a constant number or a nested list of numbers as second operand is supported");
        }
        float[] data = new float[values.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = values.get(i);
        }
        long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
        return tf.constant(org.tensorflow.ndarray.Shape.of(dims), org.tensorflow.ndarray.buffer.DataBuffers.of(data));
    }

    /** Flattens a rectangular nested list of numbers, recording its shape; false if it is anything else. */
    private static boolean nestedNumbers(JsonElement e, int depth, List<Long> shape, List<Float> values) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            if (depth != shape.size()) {
                return false;
            }
            values.add(e.getAsFloat());
            return true;
        }
        if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            return false;
        }
        JsonArray array = e.getAsJsonArray();
        if (depth == shape.size()) {
            shape.add((long) array.size());
        } else if (shape.get(depth) != array.size()) {
            return false;
        }
        for (JsonElement child : array) {
            if (!nestedNumbers(child, depth + 1, shape, values)) {
                return false;
            }
        }
        return true;
    }
}

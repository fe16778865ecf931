package dev.mlapp.model.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Min;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 operation nodes: a Functional config holds, beside its layers, every {@code keras.ops} function applied to
 * a Keras tensor ({@code x + 3.0} is {@code ops.add}, saved as {@code {"module": "keras.src.ops.numpy",
 * "class_name": "Add", "config": {"name": "add"}, "inbound_nodes": [{"args": [<tensor>, 3.0], "kwargs": {}}]}}).
 * Such a node is told from a layer by its {@code module}, never by its class name ({@code Add}, {@code Multiply},
 * {@code Concatenate}, {@code Softmax} are both). Each translation is the operation's {@code call} in
 * {@code keras/src/ops/{numpy,nn,math,core}.py} with the TensorFlow backend's implementation; operands broadcast as
 * NumPy (TensorFlow's broadcasting is NumPy's).
 *
 * <p>The graph is float32 throughout: a comparison or logical operation yields 1.0 / 0.0, which is what NumPy
 * promotes a bool to when it meets a float, and a {@code cast} to anything but a float or bool type is refused.
 */
final class KerasOperations {

    private static final List<String> X = List.of("x");
    private static final List<String> X1_X2 = List.of("x1", "x2");

    @FunctionalInterface
    private interface Translation {
        KTensor apply(GraphOps ops, OperationCall call);
    }

    private record Spec(List<String> parameters, Translation translation) {
    }

    /** By {@code <module group>.<class>}: {@code numpy.Add}, {@code nn.Relu}... */
    private static final Map<String, Spec> SPECS = specs();

    private KerasOperations() {
    }

    /** Whether a Functional config entry is an operation node rather than a layer (Keras 3.0–3.2 wrote keras.ops.*). */
    static boolean isOperation(JsonObject entry) {
        JsonElement module = entry.get("module");
        if (module == null || !module.isJsonPrimitive()) {
            return false;
        }
        String m = module.getAsString();
        return m.startsWith("keras.src.ops.") || m.startsWith("keras.ops.");
    }

    /** The supported operations, as {@code numpy.Add, nn.Relu, ...}. */
    static String supported() {
        return String.join(", ", SPECS.keySet());
    }

    /**
     * The node's output. {@code tensors} are its input tensors in the order they appear in its args, then kwargs.
     *
     * @throws dev.mlapp.model.ModelLoadException naming the operation when it has no translation or when any of its
     *                                            arguments or config entries would be left unused
     */
    static KTensor apply(GraphOps ops, JsonObject entry, String name, JsonObject node, List<KTensor> tensors) {
        String module = entry.get("module").getAsString();
        String cls = entry.get("class_name").getAsString();
        String group = module.substring(module.lastIndexOf('.') + 1);
        String description = "operation '" + name + "' (" + module + "." + cls + ")";
        Spec spec = SPECS.get(group + "." + cls);
        if (spec == null) {
            throw OperationCall.refusal(description, "the importer has no translation for the Keras operation "
                    + group + "." + cls + "; supported operations: " + supported());
        }
        JsonElement config = entry.get("config");
        OperationCall call = OperationCall.bind(description,
                config != null && config.isJsonObject() ? config.getAsJsonObject() : new JsonObject(), node,
                spec.parameters(), tensors);
        KTensor out;
        try {
            out = spec.translation().apply(ops, call);
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw call.unsupported(e.getMessage());
        }
        call.requireAllUsed();
        return out;
    }

    private static Map<String, Spec> specs() {
        Map<String, Spec> s = new TreeMap<>();
        binary(s, "Add", (tf, a, b) -> tf.math.add(a, b));
        binary(s, "Subtract", (tf, a, b) -> tf.math.sub(a, b));
        binary(s, "Multiply", (tf, a, b) -> tf.math.mul(a, b));
        binary(s, "Divide", (tf, a, b) -> tf.math.div(a, b));
        binary(s, "TrueDivide", (tf, a, b) -> tf.math.div(a, b));
        binary(s, "FloorDivide", (tf, a, b) -> tf.math.floorDiv(a, b));
        binary(s, "Mod", (tf, a, b) -> tf.math.floorMod(a, b));
        binary(s, "Power", (tf, a, b) -> tf.math.pow(a, b));
        binary(s, "Maximum", (tf, a, b) -> tf.math.maximum(a, b));
        binary(s, "Minimum", (tf, a, b) -> tf.math.minimum(a, b));
        binary(s, "Less", (tf, a, b) -> bool(tf, tf.math.less(a, b)));
        binary(s, "LessEqual", (tf, a, b) -> bool(tf, tf.math.lessEqual(a, b)));
        binary(s, "Greater", (tf, a, b) -> bool(tf, tf.math.greater(a, b)));
        binary(s, "GreaterEqual", (tf, a, b) -> bool(tf, tf.math.greaterEqual(a, b)));
        binary(s, "Equal", (tf, a, b) -> bool(tf, tf.math.equal(a, b)));
        binary(s, "NotEqual", (tf, a, b) -> bool(tf, tf.math.notEqual(a, b)));
        binary(s, "LogicalAnd", (tf, a, b) -> bool(tf, tf.math.logicalAnd(truth(tf, a), truth(tf, b))));
        binary(s, "LogicalOr", (tf, a, b) -> bool(tf, tf.math.logicalOr(truth(tf, a), truth(tf, b))));
        binary(s, "LogicalXor", (tf, a, b) -> bool(tf, tf.math.notEqual(truth(tf, a), truth(tf, b))));

        unary(s, "numpy.Negative", (tf, x) -> tf.math.neg(x));
        unary(s, "numpy.Absolute", (tf, x) -> tf.math.abs(x));
        unary(s, "numpy.Sqrt", (tf, x) -> tf.math.sqrt(x));
        unary(s, "numpy.Square", (tf, x) -> tf.math.square(x));
        unary(s, "numpy.Exp", (tf, x) -> tf.math.exp(x));
        unary(s, "numpy.Expm1", (tf, x) -> tf.math.expm1(x));
        unary(s, "numpy.Log", (tf, x) -> tf.math.log(x));
        unary(s, "numpy.Log1p", (tf, x) -> tf.math.log1p(x));
        unary(s, "numpy.Tanh", (tf, x) -> tf.math.tanh(x));
        unary(s, "numpy.Sin", (tf, x) -> tf.math.sin(x));
        unary(s, "numpy.Cos", (tf, x) -> tf.math.cos(x));
        unary(s, "numpy.Sign", (tf, x) -> tf.math.sign(x));
        unary(s, "numpy.Floor", (tf, x) -> tf.math.floor(x));
        unary(s, "numpy.Ceil", (tf, x) -> tf.math.ceil(x));
        unary(s, "numpy.Reciprocal", (tf, x) -> tf.math.reciprocal(x));
        unary(s, "numpy.LogicalNot", (tf, x) -> bool(tf, tf.math.logicalNot(truth(tf, x))));
        unary(s, "math.Rsqrt", (tf, x) -> tf.math.rsqrt(x));
        unary(s, "math.Erf", (tf, x) -> tf.math.erf(x));
        unary(s, "nn.Relu", (tf, x) -> tf.nn.relu(x));
        unary(s, "nn.Relu6", (tf, x) -> tf.nn.relu6(x));
        unary(s, "nn.Sigmoid", (tf, x) -> tf.math.sigmoid(x));
        unary(s, "nn.LogSigmoid", (tf, x) -> tf.math.neg(tf.math.softplus(tf.math.neg(x))));
        unary(s, "nn.Softplus", (tf, x) -> tf.math.softplus(x));
        unary(s, "nn.Softsign", (tf, x) -> tf.nn.softsign(x));
        unary(s, "nn.Silu", (tf, x) -> tf.math.mul(x, tf.math.sigmoid(x)));
        unary(s, "nn.HardSigmoid", KerasOperations::hardSigmoid);
        unary(s, "nn.HardSilu", (tf, x) -> tf.math.mul(x, hardSigmoid(tf, x)));
        unary(s, "nn.Selu", (tf, x) -> tf.nn.selu(x));
        s.put("nn.Elu", new Spec(X, (ops, call) -> elementwise(ops, call, (tf, x) ->
                elu(tf, x, (float) number(call, "alpha", 1.0)))));
        s.put("nn.LeakyRelu", new Spec(X, (ops, call) -> elementwise(ops, call, (tf, x) ->
                tf.nn.leakyRelu(x, LeakyRelu.alpha((float) number(call, "negative_slope", 0.2))))));
        s.put("nn.Gelu", new Spec(X, (ops, call) -> elementwise(ops, call, (tf, x) ->
                gelu(tf, x, bool(call, "approximate", true)))));
        s.put("numpy.Clip", new Spec(X, (ops, call) -> elementwise(ops, call, (tf, x) -> tf.math.minimum(
                tf.math.maximum(x, tf.constant((float) required(call, "x_min"))),
                tf.constant((float) required(call, "x_max"))))));
        s.put("numpy.Round", new Spec(X, (ops, call) -> elementwise(ops, call, (tf, x) -> round(tf, x,
                (int) number(call, "decimals", 0)))));
        s.put("core.Cast", new Spec(X, KerasOperations::cast));
        s.put("core.StopGradient", new Spec(List.of("variable"), (ops, call) -> tensor(ops, call, "variable")));

        s.put("nn.Softmax", new Spec(X, (ops, call) -> softmax(ops, call, false)));
        s.put("nn.LogSoftmax", new Spec(X, (ops, call) -> softmax(ops, call, true)));
        s.put("numpy.Where", new Spec(List.of("condition", "x1", "x2"), KerasOperations::where));
        for (String reduction : List.of("Mean", "Sum", "Max", "Min")) {
            s.put("numpy." + reduction, new Spec(X, (ops, call) -> reduce(ops, call, reduction)));
        }
        s.put("numpy.Reshape", new Spec(X, (ops, call) -> KTensor.of(ops.tf().reshape(
                logicalOperand(ops, call, "x"), ops.tf().constant(longs(ints(call, "newshape")))))));
        s.put("numpy.ExpandDims", new Spec(X, KerasOperations::expandDims));
        s.put("numpy.Squeeze", new Spec(X, KerasOperations::squeeze));
        s.put("numpy.Transpose", new Spec(X, KerasOperations::transpose));
        s.put("numpy.Concatenate", new Spec(List.of("xs"), KerasOperations::concatenate));
        return s;
    }

    // ---- elementwise -----------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Binary {
        Operand<TFloat32> apply(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b);
    }

    @FunctionalInterface
    private interface Unary {
        Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x);
    }

    private static void binary(Map<String, Spec> s, String cls, Binary op) {
        s.put("numpy." + cls, new Spec(X1_X2, (ops, call) -> {
            OperationCall.Value a = call.argument("x1");
            OperationCall.Value b = call.argument("x2");
            boolean keepLayout = keepsLayout(a) && keepsLayout(b)
                    && (a instanceof OperationCall.Tensor || b instanceof OperationCall.Tensor);
            return new KTensor(op.apply(ops.tf(), operand(ops, call, "x1", a, !keepLayout),
                    operand(ops, call, "x2", b, !keepLayout)), keepLayout);
        }));
    }

    /** A channels_first tensor held transposed may stay so when the other operand is a scalar or is held alike. */
    private static boolean keepsLayout(OperationCall.Value v) {
        return v instanceof OperationCall.Tensor t ? t.tensor().transposed()
                : v instanceof OperationCall.Constant c && c.shape().length == 0;
    }

    private static void unary(Map<String, Spec> s, String key, Unary op) {
        s.put(key, new Spec(X, (ops, call) -> elementwise(ops, call, op)));
    }

    private static KTensor elementwise(GraphOps ops, OperationCall call, Unary op) {
        OperationCall.Value x = call.argument("x");
        boolean transposed = x instanceof OperationCall.Tensor t && t.tensor().transposed();
        return new KTensor(op.apply(ops.tf(), operand(ops, call, "x", x, false)), transposed);
    }

    private static Operand<TFloat32> bool(Ops tf, Operand<TBool> b) {
        return tf.dtypes.cast(b, TFloat32.class);
    }

    private static Operand<TBool> truth(Ops tf, Operand<TFloat32> x) {
        return tf.math.notEqual(x, tf.constant(0f));
    }

    /** The TensorFlow backend's hard_sigmoid: clip(x / 6 + 0.5, 0, 1). */
    private static Operand<TFloat32> hardSigmoid(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> y = tf.math.add(tf.math.div(x, tf.constant(6f)), tf.constant(0.5f));
        return tf.math.minimum(tf.math.maximum(y, tf.constant(0f)), tf.constant(1f));
    }

    /** The TensorFlow backend's elu: tf.nn.elu, scaled on the negative side when alpha is not 1. */
    private static Operand<TFloat32> elu(Ops tf, Operand<TFloat32> x, float alpha) {
        Operand<TFloat32> y = tf.nn.elu(x);
        return alpha == 1 ? y : tf.select(tf.math.greater(x, tf.constant(0f)), y, tf.math.mul(y, tf.constant(alpha)));
    }

    /** tf.nn.gelu: the tanh approximation by default, else the exact erf form. */
    private static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x, boolean approximate) {
        Operand<TFloat32> half = tf.math.mul(x, tf.constant(0.5f));
        if (approximate) {
            Operand<TFloat32> cube = tf.math.mul(tf.math.mul(x, x), x);
            Operand<TFloat32> inner = tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)),
                    tf.math.add(x, tf.math.mul(tf.constant(0.044715f), cube)));
            return tf.math.mul(half, tf.math.add(tf.constant(1f), tf.math.tanh(inner)));
        }
        return tf.math.mul(half, tf.math.add(tf.constant(1f),
                tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
    }

    /** The TensorFlow backend's round: tf.round (half to even), through a power of ten for other decimals. */
    private static Operand<TFloat32> round(Ops tf, Operand<TFloat32> x, int decimals) {
        if (decimals == 0) {
            return tf.math.round(x);
        }
        Operand<TFloat32> factor = tf.constant((float) Math.pow(10, decimals));
        return tf.math.div(tf.math.round(tf.math.mul(x, factor)), factor);
    }

    private static KTensor cast(GraphOps ops, OperationCall call) {
        JsonElement dtype = call.config("dtype");
        String type = dtype == null ? "?" : dtype.isJsonPrimitive() ? dtype.getAsString()
                : dtype.getAsJsonObject().has("config") ? dtype.getAsJsonObject().getAsJsonObject("config")
                        .get("name").getAsString() : dtype.toString();
        return switch (type) {
            case "float32", "float64" -> tensor(ops, call, "x");
            case "bool" -> elementwise(ops, call, (tf, x) -> bool(tf, truth(tf, x)));
            default -> throw new IllegalArgumentException("it casts to " + type
                    + "; only casts to float32, float64 and bool keep the graph's float32 values exact");
        };
    }

    // ---- shaped operations (on the layout Keras sees) ---------------------------------------------------------

    private static KTensor softmax(GraphOps ops, OperationCall call, boolean log) {
        Ops tf = ops.tf();
        Operand<TFloat32> x = logicalOperand(ops, call, "x");
        int rank = x.shape().numDimensions();
        JsonElement axisConfig = call.config("axis");
        int axis = axisConfig == null ? -1 : axisConfig.getAsInt();
        axis = axis < 0 ? axis + rank : axis;
        if (axis == rank - 1) {
            return KTensor.of(log ? tf.nn.logSoftmax(x) : tf.nn.softmax(x));
        }
        Operand<org.tensorflow.types.TInt32> a = tf.constant(new int[] {axis});
        Operand<TFloat32> shifted = tf.math.sub(x, tf.max(x, a, Max.keepDims(true)));
        Operand<TFloat32> sum = tf.sum(tf.math.exp(shifted), a, Sum.keepDims(true));
        return KTensor.of(log ? tf.math.sub(shifted, tf.math.log(sum)) : tf.math.div(tf.math.exp(shifted), sum));
    }

    private static KTensor where(GraphOps ops, OperationCall call) {
        if (!call.hasArgument("x1") || !call.hasArgument("x2")) {
            throw new IllegalArgumentException("where(condition) without x1 and x2 returns indices, "
                    + "which a float32 graph cannot hold");
        }
        Ops tf = ops.tf();
        Operand<TFloat32> condition = logicalOperand(ops, call, "condition");
        return KTensor.of(tf.select(truth(tf, condition), logicalOperand(ops, call, "x1"),
                logicalOperand(ops, call, "x2")));
    }

    private static KTensor reduce(GraphOps ops, OperationCall call, String reduction) {
        Ops tf = ops.tf();
        Operand<TFloat32> x = logicalOperand(ops, call, "x");
        int rank = x.shape().numDimensions();
        JsonElement axis = call.config("axis");
        int[] axes = axis == null ? java.util.stream.IntStream.range(0, rank).toArray()
                : GraphOps.axes(axis, rank, 0);
        boolean keepDims = bool(call, "keepdims", false);
        if (reduction.equals("Max") || reduction.equals("Min")) {
            if (call.config("initial") != null) {
                throw new IllegalArgumentException("it sets initial, which the importer does not translate");
            }
        }
        Operand<org.tensorflow.types.TInt32> a = tf.constant(axes);
        return KTensor.of(switch (reduction) {
            case "Mean" -> tf.math.mean(x, a, Mean.keepDims(keepDims));
            case "Sum" -> tf.sum(x, a, Sum.keepDims(keepDims));
            case "Max" -> tf.max(x, a, Max.keepDims(keepDims));
            default -> tf.min(x, a, Min.keepDims(keepDims));
        });
    }

    private static KTensor expandDims(GraphOps ops, OperationCall call) {
        Operand<TFloat32> x = logicalOperand(ops, call, "x");
        int[] axes = ints(call, "axis");
        int outRank = x.shape().numDimensions() + axes.length;
        int[] normalised = Arrays.stream(axes).map(a -> a < 0 ? a + outRank : a).sorted().toArray();
        for (int a : normalised) {
            x = ops.tf().expandDims(x, ops.tf().constant(a));
        }
        return KTensor.of(x);
    }

    /** Keras squeezes the axes it knows to be 1 (never an unknown batch), or the given ones. */
    private static KTensor squeeze(GraphOps ops, OperationCall call) {
        Operand<TFloat32> x = logicalOperand(ops, call, "x");
        long[] dims = x.shape().asArray();
        JsonElement axis = call.config("axis");
        List<Long> axes = new ArrayList<>();
        if (axis == null) {
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] == 1) {
                    axes.add((long) i);
                }
            }
        } else {
            for (int a : GraphOps.axes(axis, dims.length, 0)) {
                axes.add((long) a);
            }
        }
        return KTensor.of(ops.tf().squeeze(x, org.tensorflow.op.core.Squeeze.axis(axes)));
    }

    private static KTensor transpose(GraphOps ops, OperationCall call) {
        Operand<TFloat32> x = logicalOperand(ops, call, "x");
        int rank = x.shape().numDimensions();
        JsonElement axes = call.config("axes");
        int[] perm = axes == null ? java.util.stream.IntStream.range(0, rank).map(i -> rank - 1 - i).toArray()
                : Arrays.stream(OperationCall.ints(axes)).map(a -> a < 0 ? a + rank : a).toArray();
        return KTensor.of(ops.tf().linalg.transpose(x, ops.tf().constant(perm)));
    }

    private static KTensor concatenate(GraphOps ops, OperationCall call) {
        OperationCall.Value xs = call.argument("xs");
        if (!(xs instanceof OperationCall.Sequence seq)) {
            throw new IllegalArgumentException("concatenate is called with " + xs + " instead of a list of tensors");
        }
        List<Operand<TFloat32>> values = new ArrayList<>();
        for (OperationCall.Value v : seq.items()) {
            values.add(operand(ops, call, "xs", v, true));
        }
        JsonElement axisConfig = call.config("axis");
        int axis = axisConfig == null ? 0 : axisConfig.getAsInt();
        return KTensor.of(ops.tf().concat(values, ops.tf().constant(axis)));
    }

    // ---- values ----------------------------------------------------------------------------------------------

    private static KTensor tensor(GraphOps ops, OperationCall call, String parameter) {
        OperationCall.Value v = call.argument(parameter);
        if (v instanceof OperationCall.Tensor t) {
            return new KTensor(t.tensor().value(), t.tensor().transposed());
        }
        return KTensor.of(operand(ops, call, parameter, v, true));
    }

    private static Operand<TFloat32> logicalOperand(GraphOps ops, OperationCall call, String parameter) {
        return operand(ops, call, parameter, call.argument(parameter), true);
    }

    private static Operand<TFloat32> operand(GraphOps ops, OperationCall call, String parameter,
                                             OperationCall.Value v, boolean logical) {
        return switch (v) {
            case OperationCall.Tensor t -> logical ? ops.logicalValue(t.tensor()) : t.tensor().value();
            case OperationCall.Constant c -> OperationCall.constant(ops, c);
            case OperationCall.None n -> throw new IllegalArgumentException(parameter + " is None");
            case OperationCall.Sequence s -> throw new IllegalArgumentException(parameter
                    + " is a list, which the importer does not translate for this operation");
        };
    }

    private static double number(OperationCall call, String key, double fallback) {
        JsonElement e = call.config(key);
        return e == null ? fallback : e.getAsDouble();
    }

    private static double required(OperationCall call, String key) {
        JsonElement e = call.config(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException("its " + key + " is " + e + " rather than a number");
        }
        return e.getAsDouble();
    }

    private static boolean bool(OperationCall call, String key, boolean fallback) {
        JsonElement e = call.config(key);
        return e == null ? fallback : e.getAsBoolean();
    }

    private static int[] ints(OperationCall call, String key) {
        JsonElement e = call.config(key);
        if (e == null) {
            throw new IllegalArgumentException("its config has no " + key);
        }
        return OperationCall.ints(e);
    }

    private static long[] longs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }
}

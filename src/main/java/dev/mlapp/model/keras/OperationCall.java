package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mlapp.model.ModelLoadException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * One call of a Keras 3 operation node, bound as Keras binds it: the operation is rebuilt from its {@code config}
 * ({@code Operation.from_config} is {@code cls(**config)}), then called with the node's {@code args}/{@code kwargs}
 * ({@code functional.deserialize_node}). Positional arguments take the {@code call} parameters in order, keyword
 * arguments by name. Each value is a tensor of the graph, a constant (a number, a bool, or a {@code __numpy__} /
 * {@code __tensor__} array), a list of those, or {@code None}.
 *
 * <p>Nothing is dropped: a translation takes every value it uses through this class, and {@link #requireAllUsed}
 * refuses the node when a config entry or an argument was never taken.
 */
final class OperationCall {

    /** A call argument or config value. */
    sealed interface Value {
    }

    record Tensor(KTensor tensor) implements Value {
    }

    /** A constant operand, row-major, shape {@code []} for a scalar. */
    record Constant(long[] shape, float[] data) implements Value {
    }

    record Sequence(List<Value> items) implements Value {
    }

    record None() implements Value {
    }

    private final String description;
    private final JsonObject config;
    private final Map<String, Value> arguments;
    private final Set<String> unusedConfig = new LinkedHashSet<>();
    private final Set<String> unusedArguments;

    private OperationCall(String description, JsonObject config, Map<String, Value> arguments) {
        this.description = description;
        this.config = config;
        this.arguments = arguments;
        this.unusedArguments = new LinkedHashSet<>(arguments.keySet());
        config.keySet().stream().filter(key -> !key.equals("name")).forEach(unusedConfig::add);
    }

    /**
     * Binds a node's arguments to the call parameters {@code parameters}; {@code tensors} are the node's input tensors
     * in the order their {@code __keras_tensor__} entries appear in {@code args}, then {@code kwargs}.
     */
    static OperationCall bind(String description, JsonObject config, JsonObject node, List<String> parameters,
                              List<KTensor> tensors) {
        Iterator<KTensor> next = tensors.iterator();
        Map<String, Value> bound = new LinkedHashMap<>();
        JsonElement args = node.get("args");
        List<JsonElement> positional = new ArrayList<>();
        if (args != null && args.isJsonArray()) {
            args.getAsJsonArray().forEach(positional::add);
        }
        for (int i = 0; i < positional.size(); i++) {
            if (i >= parameters.size()) {
                throw refusal(description, "it is called with " + positional.size()
                        + " positional arguments, but the operation takes " + parameters.size());
            }
            bound.put(parameters.get(i), value(positional.get(i), next, description));
        }
        JsonElement kwargs = node.get("kwargs");
        if (kwargs != null && kwargs.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : kwargs.getAsJsonObject().entrySet()) {
                if (!parameters.contains(e.getKey()) || bound.containsKey(e.getKey())) {
                    throw refusal(description, "its call has an argument " + e.getKey() + "=" + e.getValue()
                            + " that the operation does not take");
                }
                bound.put(e.getKey(), value(e.getValue(), next, description));
            }
        }
        return new OperationCall(description, config, bound);
    }

    private static Value value(JsonElement e, Iterator<KTensor> tensors, String description) {
        if (e == null || e.isJsonNull()) {
            return new None();
        }
        if (e.isJsonPrimitive()) {
            if (e.getAsJsonPrimitive().isBoolean()) {
                return new Constant(new long[0], new float[] {e.getAsBoolean() ? 1 : 0});
            }
            if (e.getAsJsonPrimitive().isNumber()) {
                return new Constant(new long[0], new float[] {e.getAsFloat()});
            }
            throw refusal(description, "it is called with the string " + e + ", which the importer cannot pass");
        }
        if (e.isJsonArray()) {
            List<Value> items = new ArrayList<>();
            e.getAsJsonArray().forEach(item -> items.add(value(item, tensors, description)));
            return new Sequence(items);
        }
        JsonObject o = e.getAsJsonObject();
        String cls = o.has("class_name") ? o.get("class_name").getAsString() : "";
        return switch (cls) {
            case "__keras_tensor__" -> new Tensor(tensors.next());
            case "__numpy__", "__tensor__" -> array(o.getAsJsonObject("config"), description);
            default -> throw refusal(description, "it is called with " + shortened(e)
                    + ", which the importer cannot pass");
        };
    }

    /** A {@code __numpy__} / {@code __tensor__} constant: {@code {"value": nested list, "dtype": "float32"}}. */
    private static Constant array(JsonObject config, String description) {
        String dtype = config.has("dtype") ? config.get("dtype").getAsString() : "float32";
        if (!dtype.matches("float(16|32|64)|bfloat16|u?int(8|16|32|64)|bool")) {
            throw refusal(description, "it is called with a constant of dtype " + dtype);
        }
        JsonElement value = config.get("value");
        List<Long> shape = new ArrayList<>();
        for (JsonElement e = value; e.isJsonArray(); e = e.getAsJsonArray().isEmpty() ? null : e.getAsJsonArray().get(0)) {
            shape.add((long) e.getAsJsonArray().size());
            if (e.getAsJsonArray().isEmpty()) {
                break;
            }
        }
        return new Constant(shape.stream().mapToLong(Long::longValue).toArray(), flatten(value));
    }

    private static float number(JsonElement e) {
        return e.getAsJsonPrimitive().isBoolean() ? (e.getAsBoolean() ? 1 : 0) : e.getAsFloat();
    }

    /** Nested lists of numbers or bools, row-major (a bool is 0 or 1, as NumPy promotes it). */
    private static float[] flatten(JsonElement value) {
        List<Float> out = new ArrayList<>();
        collect(value, out);
        float[] data = new float[out.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = out.get(i);
        }
        return data;
    }

    private static void collect(JsonElement e, List<Float> out) {
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(child -> collect(child, out));
        } else {
            out.add(number(e));
        }
    }

    private static String shortened(JsonElement e) {
        String s = e.toString();
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    // ---- what translations take ----------------------------------------------------------------------------

    /** Whether the call has this argument (given positionally or by keyword, not None). */
    boolean hasArgument(String parameter) {
        Value v = arguments.get(parameter);
        return v != null && !(v instanceof None);
    }

    /** A call argument; a parameter the node leaves out is None. */
    Value argument(String parameter) {
        unusedArguments.remove(parameter);
        Value v = arguments.get(parameter);
        return v == null ? new None() : v;
    }

    /** A config entry (a constructor argument of the operation), or null when absent or None. */
    JsonElement config(String key) {
        unusedConfig.remove(key);
        JsonElement e = config.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    /** Refuses the node when any config entry or argument was never taken by the translation. */
    void requireAllUsed() {
        for (String key : unusedConfig) {
            throw refusal(description, "its config has " + key + "=" + config.get(key)
                    + ", which the importer does not translate");
        }
        for (String parameter : unusedArguments) {
            throw refusal(description, "its call has an argument " + parameter
                    + " that the importer does not translate");
        }
    }

    ModelLoadException unsupported(String why) {
        return refusal(description, why);
    }

    static ModelLoadException refusal(String description, String why) {
        return new ModelLoadException(description + " cannot be imported: " + why);
    }

    // ---- constants as graph values -------------------------------------------------------------------------

    /** A constant as a float32 graph constant (Keras computes a float32 tensor with a Python number in float32). */
    static Operand<TFloat32> constant(GraphOps ops, Constant c) {
        return ops.tf().constant(Shape.of(c.shape()), DataBuffers.of(c.data(), true, false));
    }

    /** The ints of a config entry: an int or a list of ints. */
    static int[] ints(JsonElement e) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).getAsInt();
            }
            return out;
        }
        return new int[] {e.getAsInt()};
    }
}

package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.ModelLoadException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Walks a serialised Keras model — Sequential (list-style or dict-style config) or Functional (old
 * {@code [[name, node, tensor, kwargs]]} inbound nodes or Keras 3 {@code {"args": [...]}} ones), nested to any
 * depth — and wires each layer's translation from the {@link LayerRegistry} into one TensorFlow graph with a single
 * float32 placeholder {@code input} and a single output {@code output}.
 */
final class GraphBuilder {

    static final String INPUT = "input";
    static final String OUTPUT = "output";

    /** tf.keras's marker for a constant first call argument: {@code ["_CONSTANT_VALUE", -1, 1.0, kwargs]}. */
    private static final String CONSTANT_VALUE = "_CONSTANT_VALUE";

    private final Ops tf;
    private final GraphOps ops;
    private final WeightStore weights;
    private Placeholder<TFloat32> input;
    private long[] inputShape;
    private int layerCount;
    private long parameterCount;

    GraphBuilder(Ops tf, KerasModelFile file) {
        this.tf = tf;
        this.ops = new GraphOps(tf, file.kerasVersion());
        this.weights = file.weights();
    }

    /** Whether Keras gives the layer (or, for a nested model, any layer inside it) variables. */
    static boolean hasWeights(JsonObject layer) {
        if (KerasOperations.isOperation(layer)) {
            return false;
        }
        if (isModel(layer)) {
            JsonElement config = layer.get("config");
            JsonArray layers = config.isJsonArray() ? config.getAsJsonArray()
                    : config.getAsJsonObject().getAsJsonArray("layers");
            for (JsonElement inner : layers) {
                if (hasWeights(inner.getAsJsonObject())) {
                    return true;
                }
            }
            return false;
        }
        return LayerRegistry.KERAS.ownsVariables(className(layer), configOf(layer));
    }

    /** Builds the whole model; returns the output (no batch dimension in {@link #inputShape()}). */
    Operand<TFloat32> build(JsonObject model) {
        PythonCode.refuse(model);
        List<KTensor> outputs = buildModel(model, LayerPath.ROOT, null);
        if (outputs.size() != 1) {
            throw new ModelLoadException("the model has " + outputs.size() + " outputs; only single-output "
                    + "models can be served");
        }
        return tf.withName(OUTPUT).identity(ops.logicalValue(outputs.get(0)));
    }

    long[] inputShape() {
        return inputShape;
    }

    int layerCount() {
        return layerCount;
    }

    long parameterCount() {
        return parameterCount;
    }

    private static boolean isModel(JsonObject layer) {
        JsonElement config = layer.get("config");
        return config != null && (config.isJsonArray()
                || (config.isJsonObject() && config.getAsJsonObject().has("layers")));
    }

    private static String className(JsonObject layer) {
        return layer.get("class_name").getAsString();
    }

    private static JsonObject configOf(JsonObject layer) {
        JsonElement c = layer.get("config");
        return c != null && c.isJsonObject() ? c.getAsJsonObject() : new JsonObject();
    }

    private static String nameOf(JsonObject layer) {
        JsonObject config = configOf(layer);
        if (config.has("name")) {
            return config.get("name").getAsString();
        }
        return layer.has("name") ? layer.get("name").getAsString() : className(layer);
    }

    /** Builds a (sub)model; with {@code inputs == null} it is the top level and creates the placeholder. */
    private List<KTensor> buildModel(JsonObject model, LayerPath path, List<KTensor> inputs) {
        String cls = className(model);
        return switch (cls) {
            case "Sequential" -> List.of(buildSequential(model, path, inputs));
            case "Functional", "Model" -> buildFunctional(model, path, inputs);
            default -> throw new ModelLoadException("model class " + cls + " is a subclassed model whose "
                    + "computation is Python code; only Sequential and Functional models can be imported");
        };
    }

    private KTensor placeholder(JsonElement batchShape, String where) {
        if (input != null) {
            throw new ModelLoadException("the model has more than one input; only single-input models can be served");
        }
        if (batchShape == null || !batchShape.isJsonArray()) {
            throw new ModelLoadException("cannot tell the input shape of " + where
                    + " (no InputLayer and no batch_input_shape)");
        }
        JsonArray dims = batchShape.getAsJsonArray();
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).isJsonNull() ? -1 : dims.get(i).getAsLong();
        }
        shape[0] = -1;
        inputShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        input = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
        return KTensor.of(input);
    }

    private static JsonElement batchShapeOf(JsonObject config) {
        for (String key : new String[] {"batch_input_shape", "batch_shape"}) {
            if (config.has(key) && !config.get(key).isJsonNull()) {
                return config.get(key);
            }
        }
        if (config.has("input_shape") && config.get("input_shape").isJsonArray()) {
            JsonArray withBatch = new JsonArray();
            withBatch.add(com.google.gson.JsonNull.INSTANCE);
            withBatch.addAll(config.get("input_shape").getAsJsonArray());
            return withBatch;
        }
        return null;
    }

    private KTensor buildSequential(JsonObject model, LayerPath path, List<KTensor> inputs) {
        JsonElement config = model.get("config");
        JsonArray layers = config.isJsonArray() ? config.getAsJsonArray()
                : config.getAsJsonObject().getAsJsonArray("layers");
        KTensor x = inputs == null ? null : inputs.get(0);
        WeightStore.LayerKeys keys = weights.layerKeys();
        for (JsonElement element : layers) {
            JsonObject layer = element.getAsJsonObject();
            if (className(layer).equals("InputLayer")) {
                if (x == null) {
                    x = placeholder(batchShapeOf(configOf(layer)), nameOf(layer));
                }
                continue;
            }
            if (x == null) {
                JsonElement shape = batchShapeOf(configOf(layer));
                if (shape == null && config.isJsonObject()) {
                    shape = config.getAsJsonObject().get("build_input_shape");
                }
                x = placeholder(shape, nameOf(layer));
            }
            x = applyLayer(layer, path.child(nameOf(layer), keys.next(className(layer), hasWeights(layer))), List.of(x)).get(0);
        }
        if (x == null) {
            throw new ModelLoadException("Sequential model " + nameOf(model) + " has no layers");
        }
        return x;
    }

    private List<KTensor> buildFunctional(JsonObject model, LayerPath path, List<KTensor> inputs) {
        JsonObject config = configOf(model);
        JsonArray layers = config.getAsJsonArray("layers");
        Map<String, List<List<KTensor>>> produced = new HashMap<>();
        Map<String, JsonObject> byName = new LinkedHashMap<>();
        Map<String, String> storeKey = new HashMap<>();
        WeightStore.LayerKeys keys = weights.layerKeys();
        for (JsonElement element : layers) {
            JsonObject layer = element.getAsJsonObject();
            String name = layer.has("name") ? layer.get("name").getAsString() : nameOf(layer);
            byName.put(name, layer);
            if (!KerasOperations.isOperation(layer)) { // Functional.layers (the weight walk) lists no operations
                storeKey.put(name, keys.next(className(layer), hasWeights(layer)));
            }
            produced.put(name, new ArrayList<>());
        }
        List<TensorRef> inputRefs = refs(config.get("input_layers"));
        for (int i = 0; i < inputRefs.size(); i++) {
            TensorRef ref = inputRefs.get(i);
            JsonObject layer = byName.get(ref.layer());
            if (layer == null) {
                throw new ModelLoadException("model input " + ref.layer() + " is not among its layers");
            }
            KTensor tensor;
            if (inputs == null) {
                tensor = placeholder(batchShapeOf(configOf(layer)), ref.layer());
            } else if (i < inputs.size()) {
                tensor = inputs.get(i);
            } else {
                throw new ModelLoadException("nested model " + nameOf(model) + " expects more inputs than it gets");
            }
            produced.get(ref.layer()).add(List.of(tensor));
        }
        // Layers are listed in creation order, which is not always a topological order for shared layers, so
        // keep sweeping until every node has run (as Keras's functional.from_config does).
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Map.Entry<String, JsonObject> entry : byName.entrySet()) {
                String name = entry.getKey();
                JsonObject layer = entry.getValue();
                List<JsonElement> nodes = inboundNodes(layer);
                List<List<KTensor>> done = produced.get(name);
                while (!className(layer).equals("InputLayer") && done.size() < nodes.size()) {
                    JsonElement node = nodes.get(done.size());
                    boolean operation = KerasOperations.isOperation(layer);
                    List<KTensor> nodeInputs = resolve(name, node, produced,
                            operation || className(layer).equals("TFOpLambda"));
                    if (nodeInputs == null) {
                        break;
                    }
                    if (operation) {
                        done.add(List.of(applyOperation(layer, name, node, nodeInputs)));
                    } else {
                        done.add(applyLayer(layer, path.child(name, storeKey.get(name)), nodeInputs,
                                callArguments(layer, name, node)));
                    }
                    progress = true;
                }
            }
        }
        List<KTensor> outputs = new ArrayList<>();
        for (TensorRef ref : refs(config.get("output_layers"))) {
            List<List<KTensor>> nodes = produced.get(ref.layer());
            if (nodes == null || nodes.size() <= ref.node()) {
                throw new ModelLoadException("cannot compute model output " + ref.layer()
                        + ": its inputs are never produced (unsupported graph structure)");
            }
            outputs.add(nodes.get(ref.node()).get(ref.tensor()));
        }
        return outputs;
    }

    private record TensorRef(String layer, int node, int tensor) {
    }

    /** {@code [[name, node, tensor], ...]} or, for one tensor in Keras 3, just {@code [name, node, tensor]}. */
    private static List<TensorRef> refs(JsonElement element) {
        List<TensorRef> refs = new ArrayList<>();
        if (element == null || !element.isJsonArray()) {
            return refs;
        }
        JsonArray array = element.getAsJsonArray();
        if (!array.isEmpty() && array.get(0).isJsonPrimitive()) {
            refs.add(ref(array));
            return refs;
        }
        for (JsonElement e : array) {
            refs.add(ref(e.getAsJsonArray()));
        }
        return refs;
    }

    private static TensorRef ref(JsonArray a) {
        return new TensorRef(a.get(0).getAsString(), a.size() > 1 ? a.get(1).getAsInt() : 0,
                a.size() > 2 ? a.get(2).getAsInt() : 0);
    }

    private static List<JsonElement> inboundNodes(JsonObject layer) {
        List<JsonElement> nodes = new ArrayList<>();
        if (layer.has("inbound_nodes") && layer.get("inbound_nodes").isJsonArray()) {
            layer.getAsJsonArray("inbound_nodes").forEach(nodes::add);
        }
        return nodes;
    }

    /**
     * The {@code [layer, node, tensor, kwargs]} entries of an old-style node. Layers that keep their input structure
     * (TFOpLambda) store a single input unwrapped, {@code ["x", 0, 0, {"y": 3.0}]}, and nested lists for several.
     */
    private static List<JsonArray> entries(JsonArray node) {
        List<JsonArray> out = new ArrayList<>();
        if (!node.isEmpty() && node.get(0).isJsonPrimitive()) {
            out.add(node);
            return out;
        }
        for (JsonElement e : node) {
            if (e.isJsonArray()) {
                out.addAll(entries(e.getAsJsonArray()));
            }
        }
        return out;
    }

    /**
     * The node's input tensors, or null while one of them is not built yet. A layer's come from the node's args
     * (a mask in its kwargs travels with the tensor instead); an operation's, and a tf.keras TFOpLambda's
     * ({@code inputs + x}: {@code {"y": ["layer", 0, 0]}}), from its args, then its kwargs.
     */
    private static List<KTensor> resolve(String name, JsonElement node, Map<String, List<List<KTensor>>> produced,
                                         boolean withKwargs) {
        List<TensorRef> refs = new ArrayList<>();
        if (node.isJsonObject()) {
            collectKerasTensors(node.getAsJsonObject().get("args"), refs);
            JsonElement kwargs = node.getAsJsonObject().get("kwargs");
            if (withKwargs && kwargs != null && kwargs.isJsonObject()) {
                kwargs.getAsJsonObject().entrySet().forEach(e -> collectKerasTensors(e.getValue(), refs));
            }
        } else {
            for (JsonArray entry : entries(node.getAsJsonArray())) {
                if (CONSTANT_VALUE.equals(entry.get(0).getAsString())) {
                    throw new ModelLoadException("layer '" + name + "' takes the constant " + entry.get(2)
                            + " as its first operand (as in 1.0 - x), which the importer does not translate; "
                            + "write it with a built-in layer (Rescaling(scale=-1.0, offset=1.0) computes 1.0 - x) "
                            + "and save the model again");
                }
                refs.add(ref(entry));
                if (withKwargs && entry.size() > 3 && entry.get(3).isJsonObject()) {
                    entry.get(3).getAsJsonObject().entrySet().forEach(e -> collectLegacyTensors(e.getValue(), refs));
                }
            }
        }
        List<KTensor> tensors = new ArrayList<>();
        for (TensorRef ref : refs) {
            List<List<KTensor>> nodes = produced.get(ref.layer());
            if (nodes == null) {
                throw new ModelLoadException("a layer takes input from unknown layer " + ref.layer());
            }
            if (nodes.size() <= ref.node()) {
                return null;
            }
            tensors.add(nodes.get(ref.node()).get(ref.tensor()));
        }
        return tensors;
    }

    /**
     * tf.keras kwargs: a tensor is {@code [layer, node, tensor]} (or with a kwargs dict as fourth), the lists
     * tf.keras's {@code _deserialize_keras_tensors} turns back into tensors; a list of numbers is a constant.
     */
    private static void collectLegacyTensors(JsonElement e, List<TensorRef> out) {
        if (e == null || !e.isJsonArray()) {
            return;
        }
        JsonArray a = e.getAsJsonArray();
        if ((a.size() == 3 || a.size() == 4) && a.get(0).isJsonPrimitive() && a.get(0).getAsJsonPrimitive().isString()) {
            out.add(ref(a));
            return;
        }
        a.forEach(child -> collectLegacyTensors(child, out));
    }

    /** Keras 3 nodes: {@code {"class_name": "__keras_tensor__", "config": {"keras_history": [l, n, t]}}}. */
    private static void collectKerasTensors(JsonElement e, List<TensorRef> out) {
        if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
            return;
        }
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(child -> collectKerasTensors(child, out));
            return;
        }
        JsonObject o = e.getAsJsonObject();
        if (o.has("class_name") && "__keras_tensor__".equals(o.get("class_name").getAsString())) {
            out.add(ref(o.getAsJsonObject("config").getAsJsonArray("keras_history")));
        }
    }

    /**
     * The non-tensor call arguments of a node: kwargs of its first inbound entry (tf.keras) or "kwargs" (Keras 3).
     * A call that passes anything the translations do not read (a constant among a Keras 3 layer's args, an
     * {@code initial_state}, {@code training=True}, a TFOpLambda keyword other than {@code y}) is refused, never
     * dropped: a dropped argument is a model that loads and answers wrongly.
     */
    private static JsonObject callArguments(JsonObject layer, String name, JsonElement node) {
        JsonObject arguments;
        if (node.isJsonObject()) {
            JsonElement kwargs = node.getAsJsonObject().get("kwargs");
            arguments = kwargs != null && kwargs.isJsonObject() ? kwargs.getAsJsonObject() : new JsonObject();
            requireOnlyTensors(layer, name, node.getAsJsonObject().get("args"));
        } else {
            List<JsonArray> entries = entries(node.getAsJsonArray());
            arguments = !entries.isEmpty() && entries.get(0).size() > 3 && entries.get(0).get(3).isJsonObject()
                    ? entries.get(0).get(3).getAsJsonObject() : new JsonObject();
        }
        requireHonouredKeywords(layer, name, arguments);
        return arguments;
    }

    /** The call keywords a translation reads: a layer's mask and training=False, a TFOpLambda's operand and name. */
    private static void requireHonouredKeywords(JsonObject layer, String name, JsonObject arguments) {
        boolean tfOp = className(layer).equals("TFOpLambda");
        for (String key : arguments.keySet()) {
            JsonElement value = arguments.get(key);
            boolean honoured = tfOp ? key.equals("y") || key.equals("name")
                    : key.equals("mask") || key.equals("training");
            if (key.equals("training") && value.isJsonPrimitive() && value.getAsBoolean()) {
                throw new ModelLoadException("layer '" + name + "' (" + className(layer) + ") is called with "
                        + "training=True, so Keras runs it in training mode (batch statistics, random dropout) even "
                        + "at inference; the importer rebuilds inference mode only");
            }
            if (!honoured) {
                throw new ModelLoadException("layer '" + name + "' (" + className(layer) + ") is called with "
                        + key + "=" + value + ", which the importer does not pass to the layer");
            }
        }
    }

    /** Keras 3 layer calls take tensors (or lists of them) positionally; a constant there would be lost. */
    private static void requireOnlyTensors(JsonObject layer, String name, JsonElement args) {
        if (args == null || args.isJsonNull()) {
            return;
        }
        if (args.isJsonArray()) {
            args.getAsJsonArray().forEach(arg -> requireOnlyTensors(layer, name, arg));
            return;
        }
        if (!args.isJsonObject() || !args.getAsJsonObject().has("class_name")
                || !"__keras_tensor__".equals(className(args.getAsJsonObject()))) {
            throw new ModelLoadException("layer '" + name + "' (" + className(layer) + ") is called with the "
                    + "argument " + args + ", which the importer does not pass to the layer");
        }
    }

    private KTensor applyOperation(JsonObject entry, String name, JsonElement node, List<KTensor> inputs) {
        if (!node.isJsonObject()) {
            throw new ModelLoadException("operation '" + name + "' has an inbound node " + node
                    + " in a form Keras 3 does not write");
        }
        try {
            return KerasOperations.apply(ops, entry, name, node.getAsJsonObject(), inputs);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ModelLoadException("operation '" + name + "' cannot be built: " + e.getMessage(), e);
        }
    }

    private List<KTensor> applyLayer(JsonObject layer, LayerPath path, List<KTensor> inputs) {
        return applyLayer(layer, path, inputs, new JsonObject());
    }

    private List<KTensor> applyLayer(JsonObject layer, LayerPath path, List<KTensor> inputs, JsonObject arguments) {
        if (isModel(layer)) {
            return buildModel(layer, path, inputs);
        }
        List<FloatArray> values = weights.weightsOf(path);
        layerCount++;
        for (FloatArray w : values) {
            parameterCount += w.data().length;
        }
        LayerConfig config = new LayerConfig(className(layer), path.leafName(), configOf(layer), path, values,
                arguments);
        try {
            return List.of(ops.apply(config, inputs));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ModelLoadException("layer '" + path + "' (" + config.className() + ") cannot be built: "
                    + e.getMessage(), e);
        }
    }
}

package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mlapp.model.ModelLoadException;

/**
 * Finds, before any graph is built, the layers whose computation is Python code and so cannot be rebuilt without
 * Python: {@code Lambda} layers (their function is marshalled bytecode or source text) and classes the user
 * wrote (Keras 3 records their Python module; tf.keras registers them as {@code Package>Name}). The refusal names
 * the layer and class and says what to change, instead of a generic "unsupported layer" for whatever comes first.
 */
final class PythonCode {

    private PythonCode() {
    }

    static void refuse(JsonObject model) {
        String cls = model.get("class_name").getAsString();
        if (!isModel(model)) {
            if (!cls.equals("Sequential") && !cls.equals("Functional") && !cls.equals("Model")) {
                throw subclassed(cls, "the model");
            }
            return;
        }
        JsonElement config = model.get("config");
        JsonArray layers = config.isJsonArray() ? config.getAsJsonArray()
                : config.getAsJsonObject().getAsJsonArray("layers");
        for (JsonElement element : layers) {
            JsonObject layer = element.getAsJsonObject();
            String layerClass = layer.get("class_name").getAsString();
            if (isModel(layer)) {
                refuse(layer);
            } else if (layerClass.equals("Lambda")) {
                throw lambda(layer);
            } else if (isUserCode(layer)) { // even under a built-in's name: its call() is the user's code
                throw new ModelLoadException("layer '" + name(layer) + "' (" + layerClass + ") is a custom class "
                        + "defined in Python" + module(layer) + ", which cannot be rebuilt without Python. Build "
                        + "the model from built-in Keras layers and save it again");
            }
        }
    }

    private static final String REPLACE_LAMBDA = "Replace the Lambda with built-in layers (Rescaling for x / 255, "
            + "Cropping2D, Concatenate, Resizing...) and save the model again";

    /**
     * A Lambda's function is either marshalled bytecode (a {@code lambda}: tf.keras {@code function_type "lambda"},
     * Keras 3 {@code __lambda__}) or a reference by name to a Python function that the file does not contain
     * (tf.keras {@code function_type "function"}, Keras 3 {@code {"class_name": "function", "config": "name"}}).
     */
    private static ModelLoadException lambda(JsonObject layer) {
        JsonElement c = layer.get("config");
        JsonObject config = c != null && c.isJsonObject() ? c.getAsJsonObject() : new JsonObject();
        String referenced = referencedFunction(config);
        if (referenced != null) {
            String module = string(config, "module");
            return new ModelLoadException("layer '" + name(layer) + "' (Lambda) calls the Python function '"
                    + referenced + "'" + (module != null ? " of module " + module : "") + " by name; the file holds "
                    + "only that name, not its code, so it cannot run without Python. " + REPLACE_LAMBDA
                    + " (or serve a SavedModel exported from Python, which holds the function as a graph)");
        }
        return new ModelLoadException("layer '" + name(layer) + "' (Lambda) runs a Python function stored as "
                + "bytecode, which cannot be rebuilt without Python. " + REPLACE_LAMBDA);
    }

    private static String referencedFunction(JsonObject config) {
        JsonElement function = config.get("function");
        if (function == null) {
            return null;
        }
        if (function.isJsonPrimitive() && "function".equals(string(config, "function_type"))) {
            return function.getAsString();
        }
        if (function.isJsonObject()) {
            JsonObject f = function.getAsJsonObject();
            if ("function".equals(string(f, "class_name")) && f.get("config") != null
                    && f.get("config").isJsonPrimitive()) {
                return f.get("config").getAsString();
            }
        }
        return null;
    }

    private static ModelLoadException subclassed(String cls, String what) {
        return new ModelLoadException(what + " is a subclassed model (class " + cls + "): its call() is Python code "
                + "and only Sequential and Functional models can be imported. Rebuild it as a Functional model "
                + "(keras.Model(inputs, outputs)) or a Sequential one with the same layers, load the weights, and save "
                + "that with model.save(\"model.keras\")");
    }

    private static boolean isModel(JsonObject layer) {
        JsonElement config = layer.get("config");
        return config != null && (config.isJsonArray()
                || (config.isJsonObject() && config.getAsJsonObject().has("layers")));
    }

    /** Keras 3 writes the defining module ("keras.layers" for built-ins); tf.keras writes "Package>Name" names. */
    private static boolean isUserCode(JsonObject layer) {
        String module = string(layer, "module");
        String registered = string(layer, "registered_name");
        String application = ApplicationLayers.MODULES.get(layer.get("class_name").getAsString());
        if (application != null && module != null && !module.equals(application)) {
            return true; // a class of the same name as an application's, defined elsewhere
        }
        return (module != null && !module.startsWith("keras")) || (registered != null && registered.contains(">"))
                || layer.get("class_name").getAsString().contains(">");
    }

    private static String module(JsonObject layer) {
        String module = string(layer, "module");
        return module == null ? "" : " (module " + module + ")";
    }

    private static String name(JsonObject layer) {
        JsonElement config = layer.get("config");
        if (config != null && config.isJsonObject() && config.getAsJsonObject().has("name")) {
            return config.getAsJsonObject().get("name").getAsString();
        }
        return layer.has("name") ? layer.get("name").getAsString() : "?";
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }
}

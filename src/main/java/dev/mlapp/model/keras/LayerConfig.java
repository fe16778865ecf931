package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.ModelLoadException;
import java.util.List;

/**
 * One layer as Keras serialised it, with its weights, the extra arguments of the call being built (tf.keras
 * stores {@code {"y": 3.0}} there for {@code x + 3.0}), and typed access to its config that accepts every spelling
 * Keras versions use (an int or a list for {@code strides}, {@code alpha} or {@code negative_slope}...).
 */
record LayerConfig(String className, String name, JsonObject json, LayerPath path, List<FloatArray> weights,
                   JsonObject callArguments) {

    /** A layer config without call arguments (every layer but TFOpLambda ignores them). */
    LayerConfig(String className, String name, JsonObject json, LayerPath path, List<FloatArray> weights) {
        this(className, name, json, path, weights, new JsonObject());
    }

    boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    JsonElement get(String key) {
        return has(key) ? json.get(key) : null;
    }

    String string(String key, String fallback) {
        return has(key) ? json.get(key).getAsString() : fallback;
    }

    double number(String key, double fallback) {
        return has(key) ? json.get(key).getAsDouble() : fallback;
    }

    int integer(String key, int fallback) {
        return has(key) ? json.get(key).getAsInt() : fallback;
    }

    boolean bool(String key, boolean fallback) {
        return has(key) ? json.get(key).getAsBoolean() : fallback;
    }

    /** An int or a list of ints, repeated to {@code n} values when a single one is given. */
    int[] ints(String key, int n, int fallback) {
        int[] out = new int[n];
        JsonElement e = get(key);
        if (e == null) {
            java.util.Arrays.fill(out, fallback);
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < n; i++) {
                out[i] = a.get(a.size() == 1 ? 0 : i).getAsInt();
            }
        } else {
            java.util.Arrays.fill(out, e.getAsInt());
        }
        return out;
    }

    boolean channelsFirst() {
        return "channels_first".equals(string("data_format", "channels_last"));
    }

    /** The activation's name, whether serialised as {@code "relu"} or as Keras 3's {@code {"config": "relu"}}. */
    String activation() {
        return activation("activation", "linear");
    }

    /** An activation stored under another key ({@code recurrent_activation}), in either spelling. */
    String activation(String key, String fallback) {
        JsonElement e = get(key);
        if (e == null) {
            return fallback;
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        JsonObject o = e.getAsJsonObject();
        if (o.has("config") && o.get("config").isJsonPrimitive()) {
            return o.get("config").getAsString();
        }
        throw unsupported("its activation " + e + " is not a built-in Keras activation");
    }

    FloatArray weight(int index, String what) {
        if (index >= weights.size()) {
            throw new ModelLoadException("layer '" + name + "' (" + className + ") should have a " + what
                    + " weight (#" + index + ") but the file holds " + weights.size() + " weight(s) for it");
        }
        return weights.get(index);
    }

    ModelLoadException unsupported(String why) {
        return new ModelLoadException("layer '" + name + "' (" + className + ") cannot be imported: " + why);
    }
}

package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mlapp.model.ModelInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a model's own structure says about the pixels it wants, reported as {@link ModelInfo} details for the server
 * to decide its input scaling: whether the first layer that computes on values is {@code Rescaling} (the model then
 * takes raw 0..255 pixels) and whether a Keras Applications MobileNet is inside (Teachable Machine exports).
 */
final class InputFacts {

    /** Layers that do not change pixel values: inference-time no-ops and pure geometry. */
    private static final Set<String> VALUE_PRESERVING = new HashSet<>(List.of("InputLayer", "Dropout",
            "SpatialDropout2D", "GaussianDropout", "GaussianNoise", "AlphaDropout", "ActivityRegularization",
            "Resizing", "CenterCrop", "RandomCrop", "ZeroPadding2D", "Cropping2D"));

    static {
        VALUE_PRESERVING.addAll(PreprocessingLayers.INFERENCE_IDENTITIES);
    }

    private InputFacts() {
    }

    static List<ModelInfo.Detail> of(JsonObject model) {
        List<ModelInfo.Detail> details = new ArrayList<>();
        JsonObject first = firstComputingLayer(model);
        if (first != null && first.get("class_name").getAsString().equals("Rescaling")) {
            JsonObject c = first.getAsJsonObject("config");
            details.add(new ModelInfo.Detail(ModelInfo.INPUT_RESCALING, "Rescaling(scale=" + c.get("scale")
                    + ", offset="
                    + (c.has("offset") ? c.get("offset") : "0") + ")"));
        }
        Map<String, String> classByName = new LinkedHashMap<>();
        collectNames(model, classByName);
        Set<String> names = classByName.keySet();
        String base = null;
        if (names.containsAll(List.of("Conv1", "expanded_conv_depthwise", "block_1_expand"))) {
            base = "MobileNetV2";
        } else if (names.containsAll(List.of("conv1", "conv_dw_1", "conv_pw_1"))) {
            base = "MobileNet";
        }
        if (base != null) {
            details.add(new ModelInfo.Detail(ModelInfo.BASE_NETWORK, base));
            List<String> tfjsNamed = classByName.entrySet().stream()
                    .filter(e -> isTensorFlowJsName(e.getKey(), e.getValue())).map(Map.Entry::getKey).toList();
            if (!tfjsNamed.isEmpty()) {
                details.add(new ModelInfo.Detail(ModelInfo.TEACHABLE_MACHINE, "a Keras " + base + " and layers named "
                        + "as Teachable Machine's TensorFlow.js converter names them (" + String.join(", ",
                        tfjsNamed.subList(0, Math.min(3, tfjsNamed.size()))) + ")"));
            }
        }
        return details;
    }

    /**
     * TensorFlow.js names a layer {@code <snake_case class>_<Class><n>} ({@code dense_Dense1},
     * {@code global_average_pooling2d_GlobalAveragePooling2D1}); Keras itself names it {@code dense_1}. Teachable
     * Machine trains its head in the browser, so its exports carry these names around the Keras MobileNet.
     */
    static boolean isTensorFlowJsName(String name, String className) {
        return name.matches(Pattern.quote(snakeCase(className) + "_" + className) + "\\d+");
    }

    /** TensorFlow.js's own {@code toSnakeCase}. */
    private static String snakeCase(String className) {
        return className.replaceAll("(.)([A-Z][a-z0-9]+)", "$1_$2").replaceAll("([a-z])([A-Z])", "$1_$2")
                .toLowerCase(Locale.ROOT);
    }

    /** The first layer, in list order and through nested models, that is not value-preserving; null if none. */
    static JsonObject firstComputingLayer(JsonObject model) {
        for (JsonElement element : layers(model)) {
            JsonObject layer = element.getAsJsonObject();
            if (!layers(layer).isEmpty()) {
                return firstComputingLayer(layer);
            }
            if (!VALUE_PRESERVING.contains(layer.get("class_name").getAsString())) {
                return layer;
            }
        }
        return null;
    }

    /** Every layer's name, through nested models, with its class. */
    private static void collectNames(JsonObject model, Map<String, String> classByName) {
        for (JsonElement element : layers(model)) {
            JsonObject layer = element.getAsJsonObject();
            JsonElement config = layer.get("config");
            if (config != null && config.isJsonObject() && config.getAsJsonObject().has("name")) {
                classByName.put(config.getAsJsonObject().get("name").getAsString(),
                        layer.has("class_name") ? layer.get("class_name").getAsString() : "");
            }
            collectNames(layer, classByName);
        }
    }

    private static JsonArray layers(JsonObject model) {
        JsonElement config = model.get("config");
        if (config != null && config.isJsonArray()) {
            return config.getAsJsonArray();
        }
        if (config != null && config.isJsonObject() && config.getAsJsonObject().get("layers") instanceof JsonArray a) {
            return a;
        }
        return new JsonArray();
    }
}

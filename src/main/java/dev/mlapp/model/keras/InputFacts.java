package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mlapp.model.ModelInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        Set<String> names = new HashSet<>();
        collectNames(model, names);
        if (names.containsAll(List.of("Conv1", "expanded_conv_depthwise", "block_1_expand"))) {
            details.add(new ModelInfo.Detail(ModelInfo.BASE_NETWORK, "MobileNetV2"));
        } else if (names.containsAll(List.of("conv1", "conv_dw_1", "conv_pw_1"))) {
            details.add(new ModelInfo.Detail(ModelInfo.BASE_NETWORK, "MobileNet"));
        }
        return details;
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

    private static void collectNames(JsonObject model, Set<String> names) {
        for (JsonElement element : layers(model)) {
            JsonObject layer = element.getAsJsonObject();
            JsonElement config = layer.get("config");
            if (config != null && config.isJsonObject() && config.getAsJsonObject().has("name")) {
                names.add(config.getAsJsonObject().get("name").getAsString());
            }
            collectNames(layer, names);
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

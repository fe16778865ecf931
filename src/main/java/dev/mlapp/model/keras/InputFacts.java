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
 * to decide its input scaling: whether the first layer that computes on values is {@code Rescaling}, or a
 * {@code Normalization} with pixel-scale statistics (the model then takes raw 0..255 pixels), and which Keras
 * Applications base is inside (a MobileNet: Teachable Machine exports; the others name their preprocessing).
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
        String preprocessing = first == null ? null : preprocessing(first);
        if (preprocessing != null) {
            details.add(new ModelInfo.Detail(ModelInfo.INPUT_RESCALING, preprocessing));
        }
        Map<String, String> classByName = new LinkedHashMap<>();
        collectNames(model, classByName);
        Set<String> names = classByName.keySet();
        String base = APPLICATIONS.stream().filter(a -> names.containsAll(a.layers())).map(Application::name)
                .findFirst().orElse(null);
        if (base != null) {
            details.add(new ModelInfo.Detail(ModelInfo.BASE_NETWORK, base));
        }
        if (base != null && (base.equals("MobileNet") || base.equals("MobileNetV2"))) {
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

    /** A Keras Applications base recognised by layer names its builder always gives (keras/src/applications). */
    private record Application(String name, List<String> layers) {
    }

    private static final List<Application> APPLICATIONS = List.of(
            new Application("MobileNetV2", List.of("Conv1", "expanded_conv_depthwise", "block_1_expand")),
            new Application("MobileNet", List.of("conv1", "conv_dw_1", "conv_pw_1")),
            new Application("ResNet50V2", List.of("conv1_conv", "conv2_block1_preact_bn", "post_bn")),
            new Application("ResNet", List.of("conv1_conv", "conv2_block1_1_conv", "conv5_block3_out")),
            new Application("DenseNet", List.of("conv2_block1_0_bn", "pool2_conv", "conv5_block16_concat")),
            new Application("Xception", List.of("block1_conv1", "block2_sepconv1", "block14_sepconv2")),
            new Application("InceptionV3", List.of("mixed0", "mixed9_0", "mixed10")),
            new Application("EfficientNet", List.of("stem_conv", "block1a_dwconv", "top_conv")),
            new Application("EfficientNetV2", List.of("stem_conv", "block1a_project_conv", "top_conv")),
            // Keras 3 names MobileNetV3's layers conv_bn, expanded_conv_depthwise_bn...; tf.keras 2 Conv/BatchNorm...
            new Application("MobileNetV3", List.of("conv_bn", "expanded_conv_depthwise_bn", "conv_1_bn")),
            new Application("MobileNetV3", List.of("Conv/BatchNorm", "expanded_conv/depthwise/BatchNorm",
                    "Conv_1/BatchNorm")),
            new Application("ConvNeXt", List.of("convnext_tiny_stem", "convnext_tiny_stage_0_block_0_depthwise_conv")),
            new Application("NASNet", List.of("stem_conv1", "normal_conv_1_0", "reduction_concat_stem_1")));

    /**
     * What the first computing layer says about the pixels the model wants: a {@code Rescaling} means raw 0..255
     * pixels (EfficientNet's 1/255, MobileNetV3's 1/127.5 - 1, a student's own); so does a {@code Normalization}
     * whose stored mean is on the 0..255 scale (ConvNeXt's ImageNet mean × 255). Null when it says nothing.
     */
    private static String preprocessing(JsonObject layer) {
        JsonObject c = layer.getAsJsonObject("config");
        switch (layer.get("class_name").getAsString()) {
            case "Rescaling":
                return "Rescaling(scale=" + c.get("scale") + ", offset=" + (c.has("offset") ? c.get("offset") : "0")
                        + ")";
            case "Normalization":
                boolean inverted = c.has("invert") && c.get("invert").getAsBoolean();
                JsonElement mean = c.get("mean");
                if (inverted || mean == null || mean.isJsonNull()) {
                    return null;
                }
                JsonArray values = mean.isJsonArray() ? mean.getAsJsonArray() : new JsonArray();
                if (mean.isJsonPrimitive()) {
                    values.add(mean);
                }
                for (JsonElement v : values) {
                    if (v.isJsonPrimitive() && Math.abs(v.getAsDouble()) > 1) {
                        return "Normalization(mean=" + mean + ") on the 0..255 scale";
                    }
                }
                return null;
            default:
                return null;
        }
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

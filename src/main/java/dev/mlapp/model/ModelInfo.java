package dev.mlapp.model;

import java.util.List;
import java.util.Optional;

/**
 * What the server tells clients about the loaded model.
 *
 * @param name        display name; the embedded model says "demo (untrained weights)"
 * @param format      how it was loaded: {@code savedmodel}, {@code keras-h5}, {@code keras-zip}, {@code builtin}
 * @param source      the file or directory it came from, or {@code embedded:<resource>}
 * @param sha256      hex digest of the model file (of saved_model.pb for a SavedModel)
 * @param inputShape  shape of one input item, batch dimension excluded (e.g. 224, 224, 3); -1 for unknown
 * @param outputShape shape of one output item, batch dimension excluded (e.g. 11)
 * @param demo        true for the embedded demo model, whose predictions mean nothing
 * @param details     format-specific facts (Keras version, layer count, parameters…), in display order
 */
public record ModelInfo(String name, String format, String source, String sha256,
                        long[] inputShape, long[] outputShape, boolean demo,
                        List<Detail> details) {

    /** Detail key: the {@code Rescaling} a model starts with (it then takes raw 0..255 pixels). */
    public static final String INPUT_RESCALING = "input_rescaling";
    /** Detail key: a recognised Keras Applications network inside the model ({@code MobileNetV2}...). */
    public static final String BASE_NETWORK = "base_network";
    /**
     * Detail key: the model was made by Teachable Machine, as its own structure shows (a Keras MobileNet inside and
     * the layer names of Teachable Machine's TensorFlow.js converter, {@code dense_Dense1}); the value says which
     * layers showed it.
     */
    public static final String TEACHABLE_MACHINE = "teachable_machine";

    public record Detail(String key, String value) {
    }

    /** The value of the detail {@code key}, if the model has it. */
    public Optional<String> detail(String key) {
        return details.stream().filter(d -> d.key().equals(key)).map(Detail::value).findFirst();
    }

    public ModelInfo withName(String newName, boolean isDemo) {
        return new ModelInfo(newName, format, source, sha256, inputShape, outputShape, isDemo, details);
    }

    /** Number of floats in one input item; fails if a dimension is unknown. */
    public int inputItemSize() {
        return Math.toIntExact(FloatArray.elementCount(inputShape));
    }

    /** Number of floats in one output item; fails if a dimension is unknown. */
    public int outputItemSize() {
        return Math.toIntExact(FloatArray.elementCount(outputShape));
    }
}

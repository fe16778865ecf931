package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import dev.mlapp.model.FloatArray;

/**
 * Layer classes that a Keras application defines in its own module rather than in {@code keras.layers}, whose math
 * is fixed there: ConvNeXt's {@code LayerScale} ({@code keras/src/applications/convnext.py}: {@code x * gamma},
 * gamma one value per channel). {@link PythonCode} accepts them only from that module (or, in tf.keras files, which
 * record no module, by class name), so a user's own class of the same name is still refused.
 */
final class ApplicationLayers {

    /** The module each class must come from in a Keras 3 config. */
    static final java.util.Map<String, String> MODULES = java.util.Map.of(
            "LayerScale", "keras.src.applications.convnext");

    private ApplicationLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.addWeighted("LayerScale", oneInput((ops, layer, in) -> {
            KTensor x = ops.logical(in);
            FloatArray gamma = layer.weight(0, "gamma");
            long channels = x.dims()[x.rank() - 1];
            if (gamma.shape().length != 1 || (channels >= 0 && gamma.shape()[0] != channels)
                    || layer.integer("projection_dim", (int) gamma.shape()[0]) != gamma.shape()[0]) {
                throw layer.unsupported("its gamma has shape " + java.util.Arrays.toString(gamma.shape())
                        + " for an input with " + channels + " channels");
            }
            return new KTensor(ops.tf().math.mul(x.value(), ops.constant(gamma)), false);
        }));
    }
}

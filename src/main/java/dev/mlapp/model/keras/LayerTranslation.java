package dev.mlapp.model.keras;

import java.util.List;

/**
 * How one Keras layer class runs at inference ({@code training=False}), as TensorFlow ops: its {@code call} read from
 * Keras's own source. Families of layers ({@link ConvolutionLayers}, {@link PoolingLayers}...) hold these as static
 * methods and {@link LayerFamily#register register} them by class name.
 */
@FunctionalInterface
interface LayerTranslation {

    KTensor apply(GraphOps ops, LayerConfig layer, List<KTensor> inputs);

    /** A layer called on one tensor (all but the merging layers). */
    @FunctionalInterface
    interface OneInput {
        KTensor apply(GraphOps ops, LayerConfig layer, KTensor input);
    }

    static LayerTranslation oneInput(OneInput translation) {
        return (ops, layer, inputs) -> translation.apply(ops, layer, inputs.get(0));
    }

    /** Inference-time no-ops: dropout, noise and regularisation layers return their input unchanged. */
    static LayerTranslation identity() {
        return (ops, layer, inputs) -> inputs.get(0);
    }
}

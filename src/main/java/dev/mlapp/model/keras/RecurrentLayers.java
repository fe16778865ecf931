package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;

/** Sequence layers: token embeddings (and the recurrent layers, which are added here). */
final class RecurrentLayers {

    private RecurrentLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.addWeighted("Embedding", oneInput((ops, layer, in) -> embedding(ops, layer, ops.logical(in))));
    }

    private static KTensor embedding(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        var indices = tf.dtypes.cast(in.value(), TInt32.class);
        return KTensor.of(tf.gather(ops.constant(layer.weight(0, "embeddings")), indices, tf.constant(0)));
    }
}

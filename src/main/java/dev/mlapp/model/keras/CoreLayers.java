package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.identity;
import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import dev.mlapp.model.FloatArray;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Dense, the regularisation layers (which do nothing at inference: Keras's dropout and noise layers return their
 * input unless {@code training=True}, and ActivityRegularization only adds a loss) and tf.keras's TFOpLambda.
 */
final class CoreLayers {

    private CoreLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.addWeighted("Dense", oneInput(CoreLayers::dense));
        for (String noOp : new String[] {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                "GaussianDropout", "AlphaDropout", "GaussianNoise", "ActivityRegularization"}) {
            layers.add(noOp, identity());
        }
        layers.add("TFOpLambda", TfOpLambda::apply);
    }

    static KTensor dense(GraphOps ops, LayerConfig layer, KTensor input) {
        Ops tf = ops.tf();
        KTensor in = ops.logical(input);
        FloatArray kernel = layer.weight(0, "kernel");
        long units = kernel.shape()[1];
        Operand<TFloat32> x = in.value();
        long[] dims = in.dims();
        Operand<TFloat32> y;
        if (dims.length == 2) {
            y = tf.linalg.matMul(x, ops.constant(kernel));
        } else {
            // tensordot over the last axis, as Keras's Dense does for rank > 2
            y = tf.linalg.matMul(ops.reshape(x, -1, dims[dims.length - 1]), ops.constant(kernel));
            long[] outShape = dims.clone();
            outShape[0] = -1;
            outShape[outShape.length - 1] = units;
            y = ops.reshape(y, outShape);
        }
        if (layer.bool("use_bias", true)) {
            y = tf.nn.biasAdd(y, ops.constant(layer.weight(1, "bias")));
        }
        return ops.activate(layer, KTensor.of(y), layer.activation());
    }
}

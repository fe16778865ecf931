package dev.mlapp.model.keras;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A layer's output while the graph is being built.
 *
 * @param value      the graph tensor
 * @param transposed true when Keras sees this tensor as channels_first ({@code N,C,H,W}) but it is held
 *                   channels-last ({@code N,H,W,C}) because TensorFlow's CPU kernels only take that layout; a run
 *                   of channels_first layers then pays one transpose in and one out instead of one per layer
 */
record KTensor(Operand<TFloat32> value, boolean transposed) {

    static KTensor of(Operand<TFloat32> value) {
        return new KTensor(value, false);
    }

    int rank() {
        return value.shape().numDimensions();
    }

    long[] dims() {
        return value.shape().asArray();
    }
}

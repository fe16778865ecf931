package dev.mlapp.model.keras;

import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A layer's output while the graph is being built.
 *
 * @param value      the graph tensor
 * @param transposed true when Keras sees this tensor as channels_first ({@code N,C,H,W}) but it is held
 *                   channels-last ({@code N,H,W,C}) because TensorFlow's CPU kernels only take that layout; a run
 *                   of channels_first layers then pays one transpose in and one out instead of one per layer
 * @param mask       Keras's time-step mask ({@code [batch, time]}, true = use the step) that travels with the
 *                   tensor from {@code Embedding(mask_zero=True)} or {@code Masking} to the layers that honour it;
 *                   null when there is none
 */
record KTensor(Operand<TFloat32> value, boolean transposed, Operand<TBool> mask) {

    KTensor(Operand<TFloat32> value, boolean transposed) {
        this(value, transposed, null);
    }

    static KTensor of(Operand<TFloat32> value) {
        return new KTensor(value, false, null);
    }

    KTensor withMask(Operand<TBool> newMask) {
        return new KTensor(value, transposed, newMask);
    }

    int rank() {
        return value.shape().numDimensions();
    }

    long[] dims() {
        return value.shape().asArray();
    }
}

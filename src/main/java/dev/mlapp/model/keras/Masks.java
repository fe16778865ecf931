package dev.mlapp.model.keras;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Any;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras's time-step masks ({@code [batch, time]}, true = a real step): where they start, which layers carry them
 * on, and the layers other than the recurrent ones that read them. Follows Keras 3's {@code Layer.__call__}: a layer
 * that supports masking and does not compute its own mask hands its input's mask on; any other layer drops it
 * (tf.keras 2 refused to build such a model, so no saved file depends on the difference).
 */
final class Masks {

    /** Layers with {@code supports_masking = True} and Keras's default pass-through {@code compute_mask}. */
    static final Set<String> PASS_THROUGH = Set.of("Dense", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU",
            "Softmax", "Dropout", "SpatialDropout1D", "GaussianDropout", "GaussianNoise", "AlphaDropout",
            "ActivityRegularization", "BatchNormalization", "LayerNormalization", "Normalization", "Rescaling",
            "Identity");

    /** Merges combine their inputs' masks with a logical AND (keras base_merge / Concatenate compute_mask). */
    static final Set<String> MERGES = Set.of("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
            "Concatenate");

    private Masks() {
    }

    /** The output's mask: its own, else the input's when the layer passes masks on. */
    static KTensor propagate(Ops tf, String className, List<KTensor> inputs, KTensor out) {
        if (out.mask() != null) {
            return out;
        }
        if (PASS_THROUGH.contains(className)) {
            return out.withMask(inputs.get(0).mask());
        }
        if (MERGES.contains(className) && out.rank() == 3) {
            List<Operand<TBool>> masks = inputs.stream().map(KTensor::mask).filter(Objects::nonNull).toList();
            Operand<TBool> all = null;
            for (Operand<TBool> m : masks) {
                all = all == null ? m : tf.math.logicalAnd(all, m);
            }
            return out.withMask(all);
        }
        return out;
    }

    /** Embedding.compute_mask with mask_zero: {@code inputs != 0}, on the indices as given (before the int cast). */
    static KTensor embeddingMask(Ops tf, LayerConfig layer, KTensor indices, KTensor embedded) {
        if (!layer.bool("mask_zero", false)) {
            return embedded;
        }
        return embedded.withMask(tf.math.notEqual(indices.value(), tf.constant(0f)));
    }

    /** keras Masking: steps whose features all equal mask_value become zeros and are masked. */
    static KTensor masking(Ops tf, LayerConfig layer, KTensor in) {
        Operand<TFloat32> x = in.value();
        Operand<TBool> keep = tf.any(tf.math.notEqual(x, tf.constant((float) layer.number("mask_value", 0.0))),
                tf.constant(-1), Any.keepDims(true));
        Operand<TFloat32> y = tf.select(keep, x, tf.zerosLike(x));
        return KTensor.of(y).withMask(tf.squeeze(keep, org.tensorflow.op.core.Squeeze.axis(List.of(-1L))));
    }

    /**
     * GlobalAveragePooling1D with a mask: the sum over unmasked steps divided by their count (a row with every step
     * masked divides by zero, as Keras does). The layer's own output carries no mask.
     */
    static Operand<TFloat32> maskedAverage(Ops tf, Operand<TFloat32> x, Operand<TBool> mask, boolean channelsFirst,
                                           boolean keepDims) {
        int featureAxis = channelsFirst ? 1 : 2;
        int stepsAxis = channelsFirst ? 2 : 1;
        Operand<TBool> expanded = tf.expandDims(mask, tf.constant(featureAxis));
        Operand<TFloat32> kept = tf.select(expanded, x, tf.zerosLike(x));
        Operand<TFloat32> count = tf.dtypes.cast(expanded, TFloat32.class);
        return tf.math.div(tf.sum(kept, tf.constant(stepsAxis), Sum.keepDims(keepDims)),
                tf.sum(count, tf.constant(stepsAxis), Sum.keepDims(keepDims)));
    }
}

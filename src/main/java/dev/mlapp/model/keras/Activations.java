package dev.mlapp.model.keras;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras's built-in activations ({@code keras.activations}), by their serialised names. */
final class Activations {

    static final String SUPPORTED = "linear, relu, relu6, sigmoid, hard_sigmoid, tanh, softmax, log_softmax, "
            + "softplus, softsign, elu, selu, exponential, swish/silu, hard_swish/hard_silu, gelu, mish, "
            + "leaky_relu";

    private final Ops tf;
    private final boolean keras3;

    /** @param keras3 Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6; Keras 2 used clip(0.2 x + 0.5, 0, 1) */
    Activations(Ops tf, boolean keras3) {
        this.tf = tf;
        this.keras3 = keras3;
    }

    static boolean isElementwise(String name) {
        return !name.equals("softmax") && !name.equals("log_softmax");
    }

    Operand<TFloat32> apply(String name, Operand<TFloat32> x, LayerConfig layer) {
        return switch (name) {
            case "linear", "None" -> x;
            case "relu" -> tf.nn.relu(x);
            case "relu6" -> tf.nn.relu6(x);
            case "sigmoid" -> tf.math.sigmoid(x);
            case "hard_sigmoid" -> hardSigmoid(x);
            case "tanh" -> tf.math.tanh(x);
            case "softmax" -> tf.nn.softmax(x);
            case "log_softmax" -> tf.nn.logSoftmax(x);
            case "softplus" -> tf.math.softplus(x);
            case "softsign" -> tf.nn.softsign(x);
            case "elu" -> tf.nn.elu(x);
            case "selu" -> tf.nn.selu(x);
            case "exponential" -> tf.math.exp(x);
            case "swish", "silu" -> tf.math.mul(x, tf.math.sigmoid(x));
            case "hard_swish", "hard_silu" -> tf.math.mul(x, hardSigmoid(x));
            // keras.activations.gelu defaults to the exact erf form in tf.keras 2 and Keras 3
            case "gelu" -> tf.math.mul(tf.math.mul(x, tf.constant(0.5f)),
                    tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
            case "mish" -> tf.math.mul(x, tf.math.tanh(tf.math.softplus(x)));
            case "leaky_relu" -> tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(keras3 ? 0.2f : 0.3f));
            default -> throw layer.unsupported("activation '" + name + "' is not built in; supported: " + SUPPORTED);
        };
    }

    private Operand<TFloat32> hardSigmoid(Operand<TFloat32> x) {
        if (keras3) {
            return tf.math.div(tf.nn.relu6(tf.math.add(x, tf.constant(3f))), tf.constant(6f));
        }
        Operand<TFloat32> y = tf.math.add(tf.math.mul(x, tf.constant(0.2f)), tf.constant(0.5f));
        return tf.math.minimum(tf.math.maximum(y, tf.constant(0f)), tf.constant(1f));
    }
}

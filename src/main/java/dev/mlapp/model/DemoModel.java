package dev.mlapp.model;

import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The built-in demo network, in the course's shape: 224×224×3 in, 11 softmax probabilities out.
 * Two strided 3×3 convolutions, global average pooling and a dense softmax layer, with fixed pseudo-random
 * weights: the predictions mean nothing, which every place that shows the model says.
 */
public final class DemoModel {

    public static final String NAME = "demo (untrained weights)";
    static final long SEED = 11;

    private DemoModel() {
    }

    public static Model create(SessionOptions options) {
        Graph graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            SplittableRandom random = new SplittableRandom(SEED);
            Placeholder<TFloat32> input = tf.withName("input").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 224, 224, 3)));
            Operand<TFloat32> x = convRelu(tf, input, 3, 8, random);
            x = convRelu(tf, x, 8, 16, random);
            x = tf.math.mean(x, tf.constant(new int[] {1, 2}));
            x = tf.linalg.matMul(x, weights(tf, random, 16, 11));
            tf.withName("output").nn.softmax(tf.nn.biasAdd(x, weights(tf, random, 11)));
            Session session = new Session(graph, options.toConfigProto());
            ModelInfo info = new ModelInfo(NAME, "builtin", "embedded:demo", "builtin-seed-" + SEED,
                    new long[] {224, 224, 3}, new long[] {11}, true, List.of());
            return new TfModel(info, session, "input", "output", () -> {
                session.close();
                graph.close();
            });
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    private static Operand<TFloat32> convRelu(Ops tf, Operand<TFloat32> x, int in, int out, SplittableRandom random) {
        Operand<TFloat32> conv = tf.nn.conv2d(x, weights(tf, random, 3, 3, in, out), List.of(1L, 2L, 2L, 1L), "SAME");
        return tf.nn.relu(tf.nn.biasAdd(conv, weights(tf, random, out)));
    }

    private static Operand<TFloat32> weights(Ops tf, SplittableRandom random, long... shape) {
        float[] values = new float[Math.toIntExact(FloatArray.elementCount(shape))];
        long fanIn = shape.length == 1 ? 1 : FloatArray.elementCount(shape) / shape[shape.length - 1];
        double scale = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
    }
}

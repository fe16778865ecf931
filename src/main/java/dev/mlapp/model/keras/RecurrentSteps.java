package dev.mlapp.model.keras;

import dev.mlapp.model.FloatArray;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.core.While;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The recurrence of a SimpleRNN, LSTM or GRU over its input's time steps, as Keras's backend {@code rnn()} runs it at
 * inference. The input projection {@code x·kernel + bias} is done for all time steps in one matmul first. When the
 * model's input shape fixes the time length the recurrence is unrolled, one cell step per time step; when it is None
 * (text models taking any length) the same cell step runs as the body of a TensorFlow While loop.
 *
 * <p>Masks: at a masked step the states keep their previous values and the output repeats the previous step's output
 * (zeros before the first unmasked step), or is zero under {@code zero_output_for_mask}.
 */
final class RecurrentSteps {

    private RecurrentSteps() {
    }

    /** The layer's output for {@code input}; zero_output_for_mask as given (Bidirectional forces it). */
    static KTensor run(GraphOps ops, LayerConfig layer, KTensor input, boolean zeroOutputForMask) {
        Ops tf = ops.tf();
        if (layer.bool("return_state", false)) {
            throw layer.unsupported("return_state=True gives the layer several outputs; only single-output "
                    + "layers can be imported");
        }
        RecurrentCell cell = RecurrentCell.of(layer);
        Operand<TFloat32> x = input.value();
        boolean timeMajor = layer.bool("time_major", false);
        if (timeMajor) {
            x = tf.linalg.transpose(x, tf.constant(new int[] {1, 0, 2}));
        }
        long[] dims = x.shape().asArray();
        if (dims.length != 3) {
            throw layer.unsupported("it expects (batch, time, features) input but gets rank " + dims.length);
        }
        long features = dims[2];
        if (cell.kernel.shape()[0] != features) {
            throw layer.unsupported("its kernel expects " + cell.kernel.shape()[0] + " input features but the "
                    + "input has " + features);
        }
        // x·kernel + bias for every time step in one matmul: (batch·time, features) × (features, gates·units)
        Operand<TFloat32> projected = tf.linalg.matMul(ops.reshape(x, -1, features), ops.constant(cell.kernel));
        if (cell.inputBias != null) {
            projected = tf.nn.biasAdd(projected, ops.constant(new long[] {cell.inputBias.length}, cell.inputBias));
        }
        Operand<TInt32> batchAndTime = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {2}));
        Operand<TInt32> batch = tf.slice(batchAndTime, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
        Operand<TFloat32> zeros = tf.fill(tf.concat(List.of(batch, tf.constant(new int[] {cell.units})),
                tf.constant(0)), tf.constant(0f));
        Steps run = new Steps(cell, layer.bool("go_backwards", false), zeroOutputForMask);
        Outputs out;
        if (dims[1] >= 0) {
            projected = ops.reshape(projected, -1, dims[1], (long) cell.gates * cell.units);
            out = run.unrolled(ops, projected, input.mask(), (int) dims[1], zeros);
        } else {
            projected = tf.reshape(projected, tf.concat(List.of(batchAndTime,
                    tf.constant(new int[] {cell.gates * cell.units})), tf.constant(0)));
            out = run.loop(ops, projected, input.mask(), zeros);
        }
        if (!layer.bool("return_sequences", false)) {
            return KTensor.of(out.last());
        }
        // outputs stay in the order they were computed, so go_backwards returns the reversed sequence (as Keras)
        Operand<TFloat32> sequence = out.sequence();
        return KTensor.of(timeMajor ? tf.linalg.transpose(sequence, tf.constant(new int[] {1, 0, 2})) : sequence);
    }

    /** The last output (batch, units) and every step's output (batch, time, units). */
    private record Outputs(Operand<TFloat32> last, Operand<TFloat32> sequence) {
    }

    /**
     * The time steps of one recurrent layer, given the input projection {@code (batch, time, gates·units)}: unrolled
     * when the time length is known, else a While loop over a function body holding the same cell step. Both give
     * the last output and the sequence of outputs {@code (batch, time, units)} in the order they were computed.
     */
    private record Steps(RecurrentCell cell, boolean backwards, boolean zeroOutputForMask) {

        Outputs unrolled(GraphOps ops, Operand<TFloat32> projected, Operand<TBool> mask, int steps,
                         Operand<TFloat32> zeros) {
            Ops tf = ops.tf();
            List<Operand<TFloat32>> stepInputs = unstack(tf, projected, steps);
            List<Operand<TBool>> stepMasks = mask == null ? null : unstack(tf, mask, steps);
            List<Operand<TFloat32>> state = List.of(zeros, zeros, zeros);
            List<Operand<TFloat32>> outputs = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                int t = backwards ? steps - 1 - i : i;
                state = next(ops, stepInputs.get(t), stepMasks == null ? null : stepMasks.get(t), state);
                outputs.add(state.get(2));
            }
            return new Outputs(state.get(2), tf.stack(outputs, Stack.axis(1L)));
        }

        /** (h, c, output) after one step; at a masked step h and c stay and the output repeats or is zero. */
        List<Operand<TFloat32>> next(GraphOps ops, Operand<TFloat32> xw, Operand<TBool> stepMask,
                                     List<Operand<TFloat32>> state) {
            Ops tf = ops.tf();
            List<Operand<TFloat32>> next = step(ops, cell, xw, state.get(0), state.get(1));
            if (stepMask == null) {
                return List.of(next.get(0), next.get(1), next.get(0));
            }
            Operand<TBool> keep = tf.expandDims(stepMask, tf.constant(1));
            Operand<TFloat32> output = state.get(2);
            return List.of(tf.select(keep, next.get(0), state.get(0)), tf.select(keep, next.get(1), state.get(1)),
                    tf.select(keep, next.get(0), zeroOutputForMask ? tf.zerosLike(output) : output));
        }

        /**
         * A While loop for a time length known only at run time. Loop variables: step, steps, h, c, output, the
         * time-major projection and mask, and a (time, batch, units) buffer the outputs are written into.
         */
        @SuppressWarnings("unchecked") // the While op's outputs are typed as its loop variables are
        Outputs loop(GraphOps ops, Operand<TFloat32> projected, Operand<TBool> mask,
                     Operand<TFloat32> zeros) {
            Ops tf = ops.tf();
            Operand<TInt32> timeFirst = tf.constant(new int[] {1, 0, 2});
            Operand<TFloat32> xs = tf.linalg.transpose(projected, timeFirst);
            Operand<TBool> keep = mask != null ? tf.linalg.transpose(mask, tf.constant(new int[] {1, 0}))
                    : tf.fill(tf.slice(tf.shape(xs), tf.constant(new int[] {0}), tf.constant(new int[] {2})),
                    tf.constant(true));
            Operand<TInt32> steps = tf.reshape(tf.slice(tf.shape(xs), tf.constant(new int[] {0}),
                    tf.constant(new int[] {1})), tf.constant(new int[0]));
            Operand<TFloat32> buffer = tf.fill(tf.concat(List.of(tf.shape(keep), tf.constant(new int[] {cell.units})),
                    tf.constant(0)), tf.constant(0f));
            ConcreteFunction condition = ConcreteFunction.create(f -> {
                LoopVars v = new LoopVars(f, cell);
                return v.signature().output("continue", f.math.less(v.t, v.steps)).build();
            });
            ConcreteFunction body = ConcreteFunction.create(f -> {
                LoopVars v = new LoopVars(f, cell);
                Operand<TInt32> t = backwards ? f.math.sub(f.math.sub(v.steps, f.constant(1)), v.t) : v.t;
                List<Operand<TFloat32>> state = next(ops.on(f), f.gather(v.xs, t, f.constant(0)),
                        f.gather(v.keep, t, f.constant(0)), List.of(v.h, v.c, v.output));
                Operand<TFloat32> written = f.tensorScatterNdUpdate(v.buffer, f.reshape(v.t, f.constant(new int[] {1, 1})),
                        f.expandDims(state.get(2), f.constant(0)));
                return v.signature().output("t", f.math.add(v.t, f.constant(1))).output("steps", v.steps)
                        .output("h", state.get(0)).output("c", state.get(1)).output("output", state.get(2))
                        .output("xs", v.xs).output("keep", v.keep).output("buffer", written).build();
            });
            While loop = tf.whileOp(List.of(tf.constant(0), steps, zeros, zeros, zeros, xs, keep, buffer),
                    condition, body);
            Operand<TFloat32> last = (Operand<TFloat32>) loop.output().get(4);
            Operand<TFloat32> sequence = tf.linalg.transpose((Operand<TFloat32>) loop.output().get(7), timeFirst);
            return new Outputs(tf.ensureShape(last, Shape.of(-1, cell.units)),
                    tf.ensureShape(sequence, Shape.of(-1, -1, cell.units)));
        }
    }

    /** The placeholders of a loop function, in the While op's order. */
    private static final class LoopVars {
        final Operand<TInt32> t;
        final Operand<TInt32> steps;
        final Operand<TFloat32> h;
        final Operand<TFloat32> c;
        final Operand<TFloat32> output;
        final Operand<TFloat32> xs;
        final Operand<TBool> keep;
        final Operand<TFloat32> buffer;

        LoopVars(Ops f, RecurrentCell cell) {
            t = f.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
            steps = f.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
            h = f.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, cell.units)));
            c = f.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, cell.units)));
            output = f.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, cell.units)));
            xs = f.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, (long) cell.gates * cell.units)));
            keep = f.placeholder(TBool.class, Placeholder.shape(Shape.of(-1, -1)));
            buffer = f.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, cell.units)));
        }

        Signature.Builder signature() {
            return Signature.builder().input("t", t).input("steps", steps).input("h", h).input("c", c)
                    .input("output", output).input("xs", xs).input("keep", keep).input("buffer", buffer);
        }
    }

    /** One cell step: the new hidden state and (LSTM) carry state. */
    private static List<Operand<TFloat32>> step(GraphOps ops, RecurrentCell cell, Operand<TFloat32> xw,
                                                Operand<TFloat32> h, Operand<TFloat32> c) {
        Ops tf = ops.tf();
        return switch (cell.kind) {
            case "SimpleRNN" -> List.of(activate(ops, cell, cell.activation,
                    tf.math.add(xw, tf.linalg.matMul(h, ops.constant(cell.recurrent)))), c);
            case "LSTM" -> lstmStep(ops, cell, xw, h, c);
            default -> List.of(gruStep(ops, cell, xw, h), c);
        };
    }

    /** keras LSTMCell (implementation 2): gates i, f, c, o in that order along the last axis. */
    private static List<Operand<TFloat32>> lstmStep(GraphOps ops, RecurrentCell cell, Operand<TFloat32> xw,
                                                    Operand<TFloat32> h, Operand<TFloat32> c) {
        Ops tf = ops.tf();
        Operand<TFloat32> z = tf.math.add(xw, tf.linalg.matMul(h, ops.constant(cell.recurrent)));
        List<Operand<TFloat32>> g = split(tf, z, 4);
        Operand<TFloat32> i = activate(ops, cell, cell.recurrentActivation, g.get(0));
        Operand<TFloat32> f = activate(ops, cell, cell.recurrentActivation, g.get(1));
        Operand<TFloat32> candidate = activate(ops, cell, cell.activation, g.get(2));
        Operand<TFloat32> o = activate(ops, cell, cell.recurrentActivation, g.get(3));
        Operand<TFloat32> newC = tf.math.add(tf.math.mul(f, c), tf.math.mul(i, candidate));
        return List.of(tf.math.mul(o, activate(ops, cell, cell.activation, newC)), newC);
    }

    /**
     * keras GRUCell: gates z, r, h. With reset_after (tf.keras 2 and Keras 3 default, CuDNN-compatible) the reset
     * gate multiplies {@code h·U_h + b_rh}; without it, it multiplies h before the matmul.
     */
    private static Operand<TFloat32> gruStep(GraphOps ops, RecurrentCell cell, Operand<TFloat32> xw,
                                             Operand<TFloat32> h) {
        Ops tf = ops.tf();
        List<Operand<TFloat32>> x = split(tf, xw, 3);
        Operand<TFloat32> z;
        Operand<TFloat32> r;
        Operand<TFloat32> recurrentH;
        if (cell.resetAfter) {
            Operand<TFloat32> inner = tf.linalg.matMul(h, ops.constant(cell.recurrent));
            if (cell.recurrentBias != null) {
                inner = tf.nn.biasAdd(inner, ops.constant(new long[] {cell.recurrentBias.length}, cell.recurrentBias));
            }
            List<Operand<TFloat32>> u = split(tf, inner, 3);
            z = activate(ops, cell, cell.recurrentActivation, tf.math.add(x.get(0), u.get(0)));
            r = activate(ops, cell, cell.recurrentActivation, tf.math.add(x.get(1), u.get(1)));
            recurrentH = tf.math.mul(r, u.get(2));
        } else {
            FloatArray[] parts = cell.recurrentSplitForGru();
            List<Operand<TFloat32>> u = split(tf, tf.linalg.matMul(h, ops.constant(parts[0])), 2);
            z = activate(ops, cell, cell.recurrentActivation, tf.math.add(x.get(0), u.get(0)));
            r = activate(ops, cell, cell.recurrentActivation, tf.math.add(x.get(1), u.get(1)));
            recurrentH = tf.linalg.matMul(tf.math.mul(r, h), ops.constant(parts[1]));
        }
        Operand<TFloat32> candidate = activate(ops, cell, cell.activation, tf.math.add(x.get(2), recurrentH));
        // h = z·h_prev + (1 − z)·candidate
        return tf.math.add(tf.math.mul(z, h), tf.math.mul(tf.math.sub(tf.constant(1f), z), candidate));
    }

    /** The file's own definition of the activation (hard_sigmoid differs between Keras 2 and 3). */
    private static Operand<TFloat32> activate(GraphOps ops, RecurrentCell cell, String name, Operand<TFloat32> x) {
        return ops.activate(cell.layer, KTensor.of(x), name).value();
    }

    // ---- small graph helpers ----------------------------------------------------------------------------------

    private static <T extends TType> List<Operand<T>> unstack(Ops tf, Operand<T> x, int steps) {
        List<Operand<T>> out = new ArrayList<>();
        tf.unstack(x, (long) steps, Unstack.axis(1L)).forEach(out::add);
        return out;
    }

    private static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> x, int parts) {
        List<Operand<TFloat32>> out = new ArrayList<>();
        tf.split(tf.constant(1), x, (long) parts).forEach(out::add);
        return out;
    }
}

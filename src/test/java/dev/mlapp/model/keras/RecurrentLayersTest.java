package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** What the generated fixtures cannot show: Keras 1 per-gate weights, a None time length, and the refusals. */
class RecurrentLayersTest {

    private static final int FEATURES = 3;
    private static final int UNITS = 4;
    private static final int STEPS = 5;

    /**
     * Keras 1 saved W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o (LSTM) and W_z, U_z, b_z, W_r, …
     * (GRU); cut Keras 2 arrays into those gate blocks and the Keras 1 layer must compute the same.
     */
    @Test
    void keras1PerGateWeightsComputeWhatTheJoinedKeras2WeightsDo() {
        SplittableRandom random = new SplittableRandom(12);
        List<FloatArray> joined = List.of(random(random, FEATURES, 4 * UNITS), random(random, UNITS, 4 * UNITS),
                random(random, 4 * UNITS));
        List<FloatArray> perGate = new ArrayList<>();
        for (int gate : new int[] {0, 2, 1, 3}) { // Keras 1 order i, c, f, o of Keras 2's blocks i, f, c, o
            for (FloatArray w : joined) {
                perGate.add(block(w, gate));
            }
        }
        String keras2 = "{\"units\": 4, \"recurrent_activation\": \"hard_sigmoid\", \"return_sequences\": true}";
        String keras1 = "{\"output_dim\": 4, \"inner_activation\": \"hard_sigmoid\", \"return_sequences\": true}";
        assertArrayEquals(run("LSTM", keras2, joined), run("LSTM", keras1, perGate), 1e-6f);

        List<FloatArray> gru = List.of(random(random, FEATURES, 3 * UNITS), random(random, UNITS, 3 * UNITS),
                random(random, 3 * UNITS));
        List<FloatArray> gruPerGate = new ArrayList<>();
        for (int gate = 0; gate < 3; gate++) {
            for (FloatArray w : gru) {
                gruPerGate.add(block(w, gate));
            }
        }
        assertArrayEquals(run("GRU", "{\"units\": 4, \"reset_after\": false}", gru),
                run("GRU", "{\"output_dim\": 4}", gruPerGate), 1e-6f);
    }

    /**
     * A None time length runs the cell step in a While loop instead of unrolled; it must give what the unrolled
     * graph (checked against the fixtures' reference) gives, with masks, go_backwards and both GRU biases.
     */
    @Test
    void aTimeLengthOfNoneLoopsToTheSameResultAsTheUnrolledGraph() {
        SplittableRandom random = new SplittableRandom(8);
        List<FloatArray> gruResetAfter = List.of(random(random, FEATURES, 3 * UNITS), random(random, UNITS, 3 * UNITS),
                random(random, 2, 3 * UNITS));
        String[][] layers = {
                {"LSTM", "{\"units\": 4, \"return_sequences\": true, \"go_backwards\": true}"},
                {"LSTM", "{\"units\": 4}"},
                {"GRU", "{\"units\": 4, \"reset_after\": true, \"return_sequences\": true}"},
                {"SimpleRNN", "{\"units\": 4, \"return_sequences\": true, \"zero_output_for_mask\": true}"}};
        for (String[] layer : layers) {
            List<FloatArray> weights = switch (layer[0]) {
                case "LSTM" -> lstmWeights();
                case "GRU" -> gruResetAfter;
                default -> List.of(random(random, FEATURES, UNITS), random(random, UNITS, UNITS), random(random, UNITS));
            };
            for (boolean masked : new boolean[] {false, true}) {
                float[] unrolled = build(layer[0], layer[1], weights, Shape.of(-1, STEPS, FEATURES), masked);
                float[] looped = build(layer[0], layer[1], weights, Shape.of(-1, -1, FEATURES), masked);
                assertArrayEquals(unrolled, looped, 1e-6f, layer[0] + " " + layer[1] + (masked ? " masked" : ""));
            }
        }
    }

    @Test
    void timeDistributedTakesANoneTimeLength() {
        SplittableRandom random = new SplittableRandom(9);
        List<FloatArray> dense = List.of(random(random, FEATURES, UNITS), random(random, UNITS));
        String config = "{\"layer\": {\"class_name\": \"Dense\", \"config\": {\"units\": 4, "
                + "\"activation\": \"tanh\"}}}";
        float[] fixed = build("TimeDistributed", config, dense, Shape.of(-1, STEPS, FEATURES), false);
        assertArrayEquals(fixed, build("TimeDistributed", config, dense, Shape.of(-1, -1, FEATURES), false), 1e-6f);
        assertTrue(fixed.length == 2 * STEPS * UNITS, "one Dense output per time step");
    }

    @Test
    void severalOutputsAreRefused() {
        assertThrows(ModelLoadException.class, () -> run("LSTM", "{\"units\": 4, \"return_state\": true}",
                lstmWeights()));
        JsonObject lstm = JsonParser.parseString("{\"class_name\": \"LSTM\", \"config\": {\"units\": 4}}")
                .getAsJsonObject();
        List<FloatArray> both = new ArrayList<>(lstmWeights());
        both.addAll(lstmWeights());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> run("Bidirectional",
                "{\"merge_mode\": null, \"layer\": " + lstm + "}", both));
        assertTrue(e.getMessage().contains("merge_mode=None"), e.getMessage());
    }

    private static List<FloatArray> lstmWeights() {
        SplittableRandom random = new SplittableRandom(5);
        return List.of(random(random, FEATURES, 4 * UNITS), random(random, UNITS, 4 * UNITS),
                random(random, 4 * UNITS));
    }

    private static float[] run(String className, String config, List<FloatArray> weights) {
        return build(className, config, weights, Shape.of(-1, STEPS, FEATURES), false);
    }

    /**
     * The layer on a fixed batch of 2 sequences, through the registry as the importer calls it; with a mask, the
     * first row's two leading steps and the second row's step 2 and last step are masked.
     */
    private static float[] build(String className, String config, List<FloatArray> weights, Shape inputShape,
                                 boolean masked) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(inputShape));
            boolean[] keep = new boolean[2 * STEPS];
            java.util.Arrays.fill(keep, true);
            if (masked) {
                keep[0] = keep[1] = keep[STEPS + 2] = keep[2 * STEPS - 1] = false;
            }
            Operand<TBool> mask = masked ? tf.reshape(tf.constant(keep), tf.constant(new int[] {2, -1})) : null;
            LayerConfig layer = new LayerConfig(className, "rnn", JsonParser.parseString(config).getAsJsonObject(),
                    LayerPath.ROOT.child("rnn", "rnn"), weights);
            Operand<TFloat32> y = new GraphOps(tf, "2.2.0").apply(layer, List.of(KTensor.of(x).withMask(mask)))
                    .value();
            float[] input = new float[2 * STEPS * FEATURES];
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) random.nextDouble(-2, 2);
            }
            try (TFloat32 in = TFloat32.tensorOf(Shape.of(2, STEPS, FEATURES), DataBuffers.of(input, true, false));
                 Result r = session.runner().feed(x, in).fetch(y).run()) {
                TFloat32 out = (TFloat32) r.get(0);
                float[] values = new float[(int) out.size()];
                out.asRawTensor().data().asFloats().read(values);
                return values;
            }
        }
    }

    private static FloatArray random(SplittableRandom random, int... shape) {
        long[] dims = new long[shape.length];
        int count = 1;
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
            count *= shape[i];
        }
        float[] data = new float[count];
        for (int i = 0; i < count; i++) {
            data[i] = (float) random.nextDouble(-0.8, 0.8);
        }
        return new FloatArray(dims, data);
    }

    /** Columns [gate·units, (gate+1)·units) of a (rows, gates·units) matrix or a (gates·units) vector. */
    private static FloatArray block(FloatArray w, int gate) {
        long[] shape = w.shape();
        int cols = (int) shape[shape.length - 1];
        int rows = shape.length == 1 ? 1 : (int) shape[0];
        float[] out = new float[rows * UNITS];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w.data(), r * cols + gate * UNITS, out, r * UNITS, UNITS);
        }
        return new FloatArray(shape.length == 1 ? new long[] {UNITS} : new long[] {rows, UNITS}, out);
    }
}

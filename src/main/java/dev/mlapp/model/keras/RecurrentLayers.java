package dev.mlapp.model.keras;

import static dev.mlapp.model.keras.LayerTranslation.oneInput;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mlapp.model.FloatArray;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Sequence layers: Embedding and Masking (where time-step masks start, see {@link Masks}), the recurrent layers
 * {@code SimpleRNN}, {@code LSTM}, {@code GRU} (both {@code reset_after} settings; their time steps are
 * {@link RecurrentSteps}) and the wrappers {@code Bidirectional} and {@code TimeDistributed}, as Keras runs them at
 * inference ({@code keras/src/layers/rnn/*.py}, {@code tf_keras/layers/rnn/*.py}; dropout and recurrent_dropout are
 * off).
 */
final class RecurrentLayers {

    private static final Set<String> RNNS = Set.of("SimpleRNN", "LSTM", "GRU");

    private RecurrentLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.addWeighted("Embedding", oneInput((ops, layer, in) ->
                Masks.embeddingMask(ops.tf(), layer, in, embedding(ops, layer, ops.logical(in)))));
        layers.add("Masking", oneInput((ops, layer, in) -> Masks.masking(ops.tf(), layer, ops.logical(in))));
        for (String rnn : RNNS) {
            layers.addWeighted(rnn, oneInput((ops, layer, in) -> rnn(ops, layer, ops.logical(in))));
        }
        layers.addWeighted("Bidirectional", oneInput((ops, layer, in) -> bidirectional(ops, layer, ops.logical(in))));
        layers.add("TimeDistributed", RecurrentLayers::wrappedOwnsVariables,
                oneInput((ops, layer, in) -> timeDistributed(ops, layer, ops.logical(in))));
    }

    private static KTensor embedding(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        var indices = tf.dtypes.cast(in.value(), TInt32.class);
        return KTensor.of(tf.gather(ops.constant(layer.weight(0, "embeddings")), indices, tf.constant(0)));
    }

    private static KTensor rnn(GraphOps ops, LayerConfig layer, KTensor in) {
        KTensor out = RecurrentSteps.run(ops, layer, in, layer.bool("zero_output_for_mask", false));
        // RNN.compute_mask: the input mask goes on with a returned sequence (tf.keras 2 and Keras 3.0-3.15;
        // keras-team/keras#23235, after 3.15, stops RNN layers propagating masks at all)
        return layer.bool("return_sequences", false) ? out.withMask(in.mask()) : out;
    }

    // ---- wrappers ---------------------------------------------------------------------------------------------

    /**
     * keras Bidirectional: the wrapped layer forwards, a copy with go_backwards flipped (or the saved
     * backward_layer) backwards; a returned sequence from the backward layer is flipped back to time order before
     * the merge. Weights: the forward layer's, then the backward layer's.
     */
    private static KTensor bidirectional(GraphOps ops, LayerConfig layer, KTensor in) {
        Ops tf = ops.tf();
        JsonObject forwardJson = layer.json().getAsJsonObject("layer");
        JsonObject backwardJson = layer.has("backward_layer") ? layer.json().getAsJsonObject("backward_layer")
                : flippedDirection(forwardJson);
        List<FloatArray> weights = layer.weights();
        if (weights.size() % 2 != 0) {
            throw layer.unsupported("it holds " + weights.size() + " weights, which do not split into a forward "
                    + "and a backward half");
        }
        int half = weights.size() / 2;
        LayerConfig forward = wrapped(layer, forwardJson, weights.subList(0, half));
        LayerConfig backward = wrapped(layer, backwardJson, weights.subList(half, weights.size()));
        if (!RNNS.contains(forward.className())) {
            throw layer.unsupported("it wraps a " + forward.className() + "; Bidirectional is supported around "
                    + "SimpleRNN, LSTM and GRU");
        }
        boolean sequences = forward.bool("return_sequences", false);
        // Bidirectional.__init__ forces zero_output_for_mask = return_sequences on both layers
        Operand<TFloat32> y = RecurrentSteps.run(ops, forward, in, sequences).value();
        Operand<TFloat32> yRev = RecurrentSteps.run(ops, backward, in, sequences).value();
        if (sequences) {
            yRev = tf.reverse(yRev, tf.constant(new int[] {1}));
        }
        JsonElement mode = layer.get("merge_mode");
        if (mode == null) {
            throw layer.unsupported("merge_mode=None returns the two directions as two outputs; only "
                    + "single-output layers can be imported");
        }
        Operand<TFloat32> merged = switch (mode.getAsString()) {
            case "concat" -> tf.concat(List.of(y, yRev), tf.constant(-1));
            case "sum" -> tf.math.add(y, yRev);
            case "mul" -> tf.math.mul(y, yRev);
            case "ave" -> tf.math.mul(tf.math.add(y, yRev), tf.constant(0.5f));
            default -> throw layer.unsupported("merge_mode '" + mode.getAsString() + "' (Keras knows concat, "
                    + "sum, mul, ave and None)");
        };
        // Bidirectional.compute_mask: the mask goes on with a returned sequence
        return sequences ? KTensor.of(merged).withMask(in.mask()) : KTensor.of(merged);
    }

    private static JsonObject flippedDirection(JsonObject wrapped) {
        JsonObject copy = wrapped.deepCopy();
        JsonObject config = copy.getAsJsonObject("config");
        boolean backwards = config.has("go_backwards") && config.get("go_backwards").getAsBoolean();
        config.addProperty("go_backwards", !backwards);
        return copy;
    }

    private static LayerConfig wrapped(LayerConfig wrapper, JsonObject serialized, List<FloatArray> weights) {
        JsonObject config = serialized.getAsJsonObject("config");
        String name = config.has("name") ? config.get("name").getAsString() : wrapper.name();
        return new LayerConfig(serialized.get("class_name").getAsString(), name, config, wrapper.path(),
                List.copyOf(weights));
    }

    /** A TimeDistributed has variables when the layer it wraps has (TimeDistributed(Dropout) has none). */
    private static boolean wrappedOwnsVariables(JsonObject config) {
        if (!config.has("layer") || !config.get("layer").isJsonObject()) {
            return false;
        }
        JsonObject wrapped = config.getAsJsonObject("layer");
        JsonElement inner = wrapped.get("config");
        return LayerRegistry.KERAS.ownsVariables(wrapped.get("class_name").getAsString(),
                inner != null && inner.isJsonObject() ? inner.getAsJsonObject() : new JsonObject());
    }

    /**
     * keras TimeDistributed: the wrapped layer runs on every time step, done here as one call on
     * (batch·time, ...) and a reshape back. Its weights are the wrapped layer's. The mask passes through.
     */
    private static KTensor timeDistributed(GraphOps ops, LayerConfig layer, KTensor input) {
        Ops tf = ops.tf();
        LayerConfig wrapped = wrapped(layer, layer.json().getAsJsonObject("layer"), layer.weights());
        Operand<TFloat32> x = input.value();
        long[] dims = x.shape().asArray();
        if (dims.length < 3) {
            throw layer.unsupported("it needs an input of rank 3 or more (batch, time, ...), not rank " + dims.length);
        }
        long[] folded = new long[dims.length - 1];
        folded[0] = -1;
        System.arraycopy(dims, 2, folded, 1, dims.length - 2);
        Operand<TFloat32> y = ops.logicalValue(ops.apply(wrapped, List.of(KTensor.of(ops.reshape(x, folded)))));
        long[] outDims = y.shape().asArray();
        long[] unfolded = new long[outDims.length + 1];
        unfolded[0] = -1;
        unfolded[1] = dims[1];
        System.arraycopy(outDims, 1, unfolded, 2, outDims.length - 1);
        if (dims[1] >= 0) {
            return KTensor.of(ops.reshape(y, unfolded)).withMask(input.mask());
        }
        // unknown time length: (batch, time) from the input at run time, and the static shape restored after
        int[] rest = Arrays.stream(outDims, 1, outDims.length).mapToInt(d -> (int) d).toArray();
        Operand<TInt32> shape = tf.concat(List.of(tf.slice(tf.shape(x), tf.constant(new int[] {0}),
                tf.constant(new int[] {2})), tf.constant(rest)), tf.constant(0));
        return KTensor.of(tf.ensureShape(tf.reshape(y, shape), Shape.of(unfolded))).withMask(input.mask());
    }
}

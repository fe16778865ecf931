package dev.mlapp.model.keras;

import dev.mlapp.model.FloatArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A cell's settings and weights in the Keras 2/3 layout: kernel (features, gates·units), recurrent_kernel
 * (units, gates·units), bias (gates·units) — or (2, 3·units) for a reset_after GRU, input bias then recurrent
 * bias. Keras 1 files store one array per gate; they are joined the way Keras 2's legacy loader
 * ({@code preprocess_weights_for_loading}) joins them.
 */
final class RecurrentCell {

    final LayerConfig layer;
    final String kind;
    final int units;
    final int gates;
    final String activation;
    final String recurrentActivation;
    final FloatArray kernel;
    final FloatArray recurrent;
    final float[] inputBias;
    final float[] recurrentBias;
    final boolean resetAfter;

    private RecurrentCell(LayerConfig layer, List<FloatArray> w) {
        this.layer = layer;
        this.kind = layer.className();
        this.gates = switch (kind) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        // Keras 1 spelled units output_dim and recurrent_activation inner_activation
        this.units = layer.has("units") ? layer.integer("units", 0) : layer.integer("output_dim", 0);
        this.activation = layer.activation("activation", "tanh");
        this.recurrentActivation = layer.has("recurrent_activation")
                ? layer.activation("recurrent_activation", "sigmoid")
                : layer.activation("inner_activation", "sigmoid");
        if (w.size() < 2) {
            throw layer.unsupported("it should hold a kernel and a recurrent kernel but the file has "
                    + w.size() + " weight(s) for it");
        }
        this.kernel = w.get(0);
        this.recurrent = w.get(1);
        FloatArray bias = w.size() > 2 && layer.bool("use_bias", true) ? w.get(2) : null;
        long width = (long) gates * units;
        check(kernel.shape().length == 2 && kernel.shape()[1] == width, "kernel", kernel, "(features, " + width + ")");
        check(Arrays.equals(recurrent.shape(), new long[] {units, width}), "recurrent kernel", recurrent,
                "(" + units + ", " + width + ")");
        boolean twoBiases = bias != null && bias.shape().length == 2;
        this.resetAfter = kind.equals("GRU") && (layer.bool("reset_after", false) || twoBiases);
        if (bias == null) {
            inputBias = null;
            recurrentBias = null;
        } else if (twoBiases) {
            check(resetAfter && Arrays.equals(bias.shape(), new long[] {2, width}), "bias", bias,
                    "(2, " + width + ") for a reset_after GRU");
            inputBias = Arrays.copyOfRange(bias.data(), 0, (int) width);
            recurrentBias = Arrays.copyOfRange(bias.data(), (int) width, (int) (2 * width));
        } else {
            check(bias.shape().length == 1 && bias.shape()[0] == width, "bias", bias, "(" + width + ")");
            inputBias = bias.data();
            recurrentBias = null;
        }
    }

    static RecurrentCell of(LayerConfig layer) {
        return new RecurrentCell(layer, keras2Layout(layer));
    }

    private void check(boolean ok, String what, FloatArray actual, String expected) {
        if (!ok) {
            throw layer.unsupported("its " + what + " has shape " + Arrays.toString(actual.shape())
                    + " where " + kind + "(units=" + units + ") needs " + expected);
        }
    }

    /** Keras 1's per-gate arrays (W_i, U_i, b_i, W_c, U_c, b_c, W_f, ...) joined into Keras 2's three. */
    private static List<FloatArray> keras2Layout(LayerConfig layer) {
        List<FloatArray> w = layer.weights();
        int[] order = switch (layer.className()) {
            case "LSTM" -> w.size() == 12 ? new int[] {0, 6, 3, 9} : null; // Keras 1 i, c, f, o -> i, f, c, o
            case "GRU" -> w.size() == 9 ? new int[] {0, 3, 6} : null;      // z, r, h
            default -> null;
        };
        if (order == null) {
            return w;
        }
        List<FloatArray> joined = new ArrayList<>();
        for (int offset = 0; offset < 3; offset++) {
            List<FloatArray> parts = new ArrayList<>();
            for (int gate : order) {
                parts.add(w.get(gate + offset));
            }
            joined.add(concatLastAxis(parts));
        }
        return joined;
    }

    /** The recurrent kernel of a GRU without reset_after as (units, 2·units) for z, r and (units, units) for h. */
    FloatArray[] recurrentSplitForGru() {
        return new FloatArray[] {columns(recurrent, 0, 2 * units), columns(recurrent, 2 * units, 3 * units)};
    }

    private static FloatArray columns(FloatArray m, int from, int to) {
        int rows = (int) m.shape()[0];
        int cols = (int) m.shape()[1];
        float[] out = new float[rows * (to - from)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(m.data(), r * cols + from, out, r * (to - from), to - from);
        }
        return new FloatArray(new long[] {rows, to - from}, out);
    }

    static FloatArray concatLastAxis(List<FloatArray> parts) {
        long[] first = parts.get(0).shape();
        int rows = first.length == 1 ? 1 : (int) first[0];
        int total = parts.stream().mapToInt(p -> (int) p.shape()[p.shape().length - 1]).sum();
        float[] out = new float[rows * total];
        int at = 0;
        for (FloatArray p : parts) {
            int cols = (int) p.shape()[p.shape().length - 1];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(p.data(), r * cols, out, r * total + at, cols);
            }
            at += cols;
        }
        return new FloatArray(first.length == 1 ? new long[] {total} : new long[] {rows, total}, out);
    }
}

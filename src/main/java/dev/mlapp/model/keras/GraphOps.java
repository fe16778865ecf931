package dev.mlapp.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.mlapp.model.FloatArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What every layer translation works with while one graph is built: the TensorFlow ops, the activations of the
 * file's Keras version, the {@link LayerRegistry} (wrappers translate the layer they wrap through {@link #apply}),
 * and the helpers for layouts and constants. Weights become graph constants.
 *
 * <p>Layouts: TensorFlow's CPU convolutions and pools take channels-last only, so a channels_first layer works on a
 * channels-last copy and hands on a {@link KTensor#transposed() transposed} tensor; layers that do not care about
 * the layout (activations, merges of like tensors, BatchNormalization with its axis remapped) pass it through, and
 * every other layer first restores Keras's logical layout with {@link #logical}.
 */
final class GraphOps {

    private final Ops tf;
    private final String kerasVersion;
    private final Activations activations;
    private final LayerRegistry registry;

    /** @param kerasVersion the version that wrote the file ("unknown" is taken as Keras 2) */
    GraphOps(Ops tf, String kerasVersion) {
        this(tf, kerasVersion, LayerRegistry.KERAS);
    }

    GraphOps(Ops tf, String kerasVersion, LayerRegistry registry) {
        this.tf = tf;
        this.kerasVersion = kerasVersion;
        this.activations = new Activations(tf, kerasAtLeast(3, 0));
        this.registry = registry;
    }

    /** Whether the file was written by Keras {@code major.minor} or later: some layers changed between versions. */
    boolean kerasAtLeast(int major, int minor) {
        String[] parts = kerasVersion.split("[.-]");
        try {
            int fileMajor = Integer.parseInt(parts[0]);
            int fileMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return fileMajor > major || (fileMajor == major && fileMinor >= minor);
        } catch (NumberFormatException unknown) {
            return false;
        }
    }

    Ops tf() {
        return tf;
    }

    /** The same context building into another graph (the body of a loop is a function with its own graph). */
    GraphOps on(Ops other) {
        return new GraphOps(other, kerasVersion, registry);
    }

    LayerRegistry registry() {
        return registry;
    }

    /** The layer's output for these inputs, through its registered translation. */
    KTensor apply(LayerConfig layer, List<KTensor> inputs) {
        LayerTranslation translation = registry.translation(layer.className());
        if (translation == null) {
            throw layer.unsupported("the importer has no translation for class " + layer.className()
                    + " (Lambda layers and custom classes are Python code and cannot be rebuilt without Python); "
                    + "supported layer classes: " + String.join(", ", registry.classNames())
                    + " (TFOpLambda: " + String.join(", ", TfOpLambda.FUNCTIONS) + ")");
        }
        return Masks.propagate(tf, layer.className(), inputs, translation.apply(this, layer, inputs));
    }

    // ---- layouts -----------------------------------------------------------------------------------------------

    /** The tensor in the layout Keras sees. */
    Operand<TFloat32> logicalValue(KTensor t) {
        if (!t.transposed()) {
            return t.value();
        }
        int r = t.rank();
        int[] perm = new int[r];
        perm[1] = r - 1;
        for (int i = 2; i < r; i++) {
            perm[i] = i - 1;
        }
        return tf.linalg.transpose(t.value(), tf.constant(perm));
    }

    KTensor logical(KTensor t) {
        return t.transposed() ? new KTensor(logicalValue(t), false, t.mask()) : t;
    }

    /** The channels-last form a layer with the given data_format computes on. */
    Operand<TFloat32> channelsLast(KTensor t, boolean channelsFirst) {
        if (!channelsFirst) {
            return logicalValue(t);
        }
        if (t.transposed()) {
            return t.value();
        }
        int r = t.rank();
        int[] perm = new int[r];
        for (int i = 1; i < r - 1; i++) {
            perm[i] = i + 1;
        }
        perm[r - 1] = 1;
        return tf.linalg.transpose(t.value(), tf.constant(perm));
    }

    /** Where logical axis {@code axis} of a tensor lives in its held layout. */
    static int physicalAxis(KTensor t, int axis) {
        int r = t.rank();
        int a = axis < 0 ? axis + r : axis;
        if (!t.transposed() || a == 0) {
            return a;
        }
        return a == 1 ? r - 1 : a - 1;
    }

    // ---- weights and constants ---------------------------------------------------------------------------------

    Operand<TFloat32> constant(FloatArray array) {
        return tf.constant(Shape.of(array.shape()), DataBuffers.of(array.data(), true, false));
    }

    Operand<TFloat32> constant(long[] shape, float[] data) {
        return tf.constant(Shape.of(shape), DataBuffers.of(data, true, false));
    }

    Operand<TFloat32> scalar(double value) {
        return tf.constant((float) value);
    }

    Operand<TInt32> ints(int... values) {
        return tf.constant(values);
    }

    static List<Long> longs(int... values) {
        List<Long> out = new ArrayList<>();
        for (int v : values) {
            out.add((long) v);
        }
        return out;
    }

    Operand<TFloat32> reshape(Operand<TFloat32> x, long... shape) {
        return tf.reshape(x, tf.constant(shape));
    }

    // ---- activations and config values -------------------------------------------------------------------------

    /** The named Keras activation applied to {@code x} (softmax-like ones on the logical layout). */
    KTensor activate(LayerConfig layer, KTensor x, String name) {
        if (!Activations.isElementwise(name)) {
            x = logical(x);
        }
        return new KTensor(activations.apply(name, x.value(), layer), x.transposed());
    }

    /** An {@code axis} setting (int or list, possibly negative) as sorted non-negative axes. */
    static int[] axes(JsonElement e, int rank, int fallback) {
        int[] axes;
        if (e == null) {
            axes = new int[] {fallback};
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            axes = new int[a.size()];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = a.get(i).getAsInt();
            }
        } else {
            axes = new int[] {e.getAsInt()};
        }
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        Arrays.sort(axes);
        return axes;
    }

    /** A number or a (nested) list of numbers from a config, flattened. */
    static float[] floats(JsonElement e) {
        if (!e.isJsonArray()) {
            return new float[] {e.getAsFloat()};
        }
        List<Float> values = new ArrayList<>();
        flattenInto(e, values);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static void flattenInto(JsonElement e, List<Float> out) {
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(child -> flattenInto(child, out));
        } else {
            out.add(e.getAsFloat());
        }
    }
}

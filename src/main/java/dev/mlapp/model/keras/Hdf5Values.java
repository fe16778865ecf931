package dev.mlapp.model.keras;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.ModelLoadException;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reading the few HDF5 value kinds Keras writes: string attributes and float datasets. */
final class Hdf5Values {

    private Hdf5Values() {
    }

    /** A string attribute, or null when absent (h5py writes str as variable-length strings, bytes as fixed). */
    static String string(Node node, String name) {
        Attribute attribute = node.getAttribute(name);
        if (attribute == null) {
            return null;
        }
        Object data = attribute.getData();
        if (data instanceof String s) {
            return s;
        }
        if (data instanceof String[] array && array.length == 1) {
            return array[0];
        }
        if (data instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return String.valueOf(data);
    }

    /**
     * A string-list attribute such as {@code layer_names}; Keras splits lists that overflow the 64 KB object header
     * into {@code name0}, {@code name1}, ... (legacy_h5_format.save_attributes_to_hdf5_group).
     */
    static List<String> strings(Node node, String name) {
        if (node.getAttribute(name) != null) {
            return toStrings(node.getAttribute(name).getData());
        }
        List<String> all = new ArrayList<>();
        for (int chunk = 0; node.getAttribute(name + chunk) != null; chunk++) {
            all.addAll(toStrings(node.getAttribute(name + chunk).getData()));
        }
        return all;
    }

    private static List<String> toStrings(Object data) {
        if (data == null || (data.getClass().isArray() && java.lang.reflect.Array.getLength(data) == 0)) {
            return List.of(); // layers without weights: h5py stores np.asarray([]), an empty float64 array
        }
        if (data instanceof String[] array) {
            return Arrays.asList(array);
        }
        if (data instanceof String s) {
            return List.of(s);
        }
        if (data instanceof Object[] array) {
            return Arrays.stream(array).map(String::valueOf).toList();
        }
        throw new ModelLoadException("unexpected HDF5 attribute type " + data.getClass().getSimpleName());
    }

    /** A numeric dataset (float32/64/16, or integer) as float32 values in row-major order. */
    static FloatArray floats(Dataset dataset) {
        long[] shape = dataset.isScalar() ? new long[0] : dataset.getDimensionsAsLong();
        Object flat = dataset.getDataFlat();
        float[] values = switch (flat) {
            case float[] f -> f;
            case double[] d -> {
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                yield f;
            }
            // integer variables exist too, e.g. Normalization's int64 sample count (EfficientNet's input block)
            case long[] l -> {
                float[] f = new float[l.length];
                for (int i = 0; i < l.length; i++) {
                    f[i] = l[i];
                }
                yield f;
            }
            case int[] n -> {
                float[] f = new float[n.length];
                for (int i = 0; i < n.length; i++) {
                    f[i] = n[i];
                }
                yield f;
            }
            case Number n -> new float[] {n.floatValue()};
            default -> throw new ModelLoadException("weight " + dataset.getPath() + " holds "
                    + dataset.getJavaType().getSimpleName() + " values, expected floating point");
        };
        return new FloatArray(shape, values);
    }
}

package dev.mlapp.model.keras;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a layer sits in a (possibly nested) model, outermost first. Weight stores address layers differently: a
 * legacy HDF5 file by layer name, a {@code .keras} archive by a key made from the class name ({@code dense},
 * {@code dense_1}, ...), so the path carries both.
 *
 * @param names layer names from the top-level model's layer down to this layer
 * @param keys  the same layers' keys in the weight store ({@link WeightStore#layerKeys()}; empty where it has none)
 */
record LayerPath(List<String> names, List<String> keys) {

    static final LayerPath ROOT = new LayerPath(List.of(), List.of());

    LayerPath child(String name, String key) {
        List<String> n = new ArrayList<>(names);
        n.add(name);
        List<String> k = new ArrayList<>(keys);
        k.add(key);
        return new LayerPath(List.copyOf(n), List.copyOf(k));
    }

    String leafName() {
        return names.get(names.size() - 1);
    }

    int depth() {
        return names.size();
    }

    @Override
    public String toString() {
        return String.join("/", names);
    }
}

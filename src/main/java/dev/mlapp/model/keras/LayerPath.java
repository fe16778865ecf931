package dev.mlapp.model.keras;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a layer sits in a (possibly nested) model, outermost first. Each format addresses weights differently:
 * legacy HDF5 by layer name, {@code .keras} archives by a key made from the class name ({@code dense},
 * {@code dense_1}, ...), so the path carries both.
 *
 * @param names       layer names from the top-level model's layer down to this layer
 * @param archiveKeys the same layers' keys in a {@code .keras} weights file
 */
record LayerPath(List<String> names, List<String> archiveKeys) {

    static final LayerPath ROOT = new LayerPath(List.of(), List.of());

    LayerPath child(String name, String archiveKey) {
        List<String> n = new ArrayList<>(names);
        n.add(name);
        List<String> k = new ArrayList<>(archiveKeys);
        k.add(archiveKey);
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

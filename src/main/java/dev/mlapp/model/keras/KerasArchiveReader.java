package dev.mlapp.model.keras;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.ModelLoadException;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a {@code .keras} zip archive ({@code keras/src/saving/saving_lib.py}): {@code config.json} (architecture),
 * {@code metadata.json} (Keras version) and {@code model.weights.h5}. In the weights file every layer's own
 * variables sit in {@code <path>/vars/0, 1, ...}, where the path walks the model's layer list under {@code layers}
 * (Keras 3) or {@code _layer_checkpoint_dependencies} (Keras 2.13–2.15), naming each layer by its snake-cased class
 * with a counter for repeats ({@code dense}, {@code dense_1}), never by the layer's own name.
 */
final class KerasArchiveReader {

    private static final String KERAS3_LAYERS = "layers";
    private static final String KERAS2_LAYERS = "_layer_checkpoint_dependencies";
    /**
     * Attributes under which RNNs and wrappers keep the layers that own their variables, tried in this order: an
     * RNN's {@code cell}; a Bidirectional's two copies (the wrapped {@code layer} it also keeps is never built);
     * a TimeDistributed's {@code layer}.
     */
    private static final List<List<String>> SUB_OBJECTS = List.of(List.of("cell"),
            List.of("forward_layer", "backward_layer"), List.of("layer"));

    private KerasArchiveReader() {
    }

    static KerasModelFile read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            JsonObject config = JsonParser.parseString(text(zip, "config.json", file)).getAsJsonObject();
            String version = "unknown";
            String backend = "unknown";
            if (zip.getEntry("metadata.json") != null) {
                JsonObject metadata = JsonParser.parseString(text(zip, "metadata.json", file)).getAsJsonObject();
                version = metadata.has("keras_version") ? metadata.get("keras_version").getAsString() : version;
                backend = metadata.has("backend") ? metadata.get("backend").getAsString() : backend;
            }
            ZipEntry weights = zip.getEntry("model.weights.h5");
            if (weights == null) {
                throw new ModelLoadException(file + " is a zip without model.weights.h5: not a .keras model archive"
                        + (zip.getEntry("model.weights.npz") != null ? " (npz weights are not supported)" : ""));
            }
            byte[] bytes = zip.getInputStream(weights).readAllBytes();
            HdfFile hdf = HdfFile.fromBytes(bytes);
            return new KerasModelFile("keras-zip", config, version, backend,
                    new Store(hdf, version.startsWith("2.13"), windowsGroups(hdf)));
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException("cannot read Keras archive " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new ModelLoadException(file + " is a zip without " + name + ": not a .keras model archive");
        }
        return new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * tf.keras 2.13–2.15 on Windows joined weight paths with {@code tf.io.gfile.join}, which writes {@code \}, so
     * h5py made one root group named {@code layers\conv2d} (or {@code _layer_checkpoint_dependencies\dense}) instead
     * of nested ones; Keras 3's loader reads such files by replacing {@code \} with {@code /}. Returns every group
     * by its path with {@code /} only, or null when no name holds a {@code \} (the usual case: paths are looked up
     * directly).
     */
    static Map<String, Group> windowsGroups(HdfFile hdf) {
        Map<String, Group> byPath = new HashMap<>();
        boolean[] backslash = {false};
        index(hdf, "", byPath, backslash);
        return backslash[0] ? byPath : null;
    }

    private static void index(Group group, String path, Map<String, Group> byPath, boolean[] backslash) {
        for (Node child : group.getChildren().values()) {
            if (child instanceof Group g) {
                backslash[0] |= g.getName().contains("\\");
                String childPath = (path.isEmpty() ? "" : path + "/") + g.getName().replace('\\', '/');
                byPath.put(childPath, g);
                index(g, childPath, byPath, backslash);
            }
        }
    }

    /**
     * @param keras213      written by Keras 2.13, which counted each layer with weights twice (see ArchiveKeys)
     * @param windowsGroups the groups by {@code /} path when the file was written on Windows, else null
     */
    private record Store(HdfFile hdf, boolean keras213, Map<String, Group> windowsGroups) implements WeightStore {

        @Override
        public LayerKeys layerKeys() {
            return new ArchiveKeys(keras213);
        }

        @Override
        public List<FloatArray> weightsOf(LayerPath layer) {
            String path = layerPath(layer, KERAS3_LAYERS);
            Group group = group(path);
            if (group == null) {
                path = layerPath(layer, KERAS2_LAYERS);
                group = group(path);
            }
            return group == null ? List.of() : collect(group, path);
        }

        /**
         * The layer's own {@code vars}; a layer that keeps its variables in sub-objects (an RNN's {@code cell}, a
         * Bidirectional's {@code forward_layer} and {@code backward_layer}, a TimeDistributed's {@code layer})
         * has an empty {@code vars} and theirs are taken instead (forward before backward, as the legacy HDF5
         * files list them).
         */
        private List<FloatArray> collect(Group group, String path) {
            List<FloatArray> values = new ArrayList<>();
            if (group.getChild("vars") instanceof Group vars) {
                for (int i = 0; vars.getChild(Integer.toString(i)) instanceof Dataset d; i++) {
                    values.add(Hdf5Values.floats(d));
                }
            }
            for (int a = 0; a < SUB_OBJECTS.size() && values.isEmpty(); a++) {
                for (String child : SUB_OBJECTS.get(a)) {
                    Node sub = windowsGroups != null ? windowsGroups.get(path + "/" + child) : group.getChild(child);
                    if (sub instanceof Group g) {
                        values.addAll(collect(g, path + "/" + child));
                    }
                }
            }
            return values;
        }

        private static String layerPath(LayerPath layer, String listName) {
            List<String> steps = new ArrayList<>();
            for (String key : layer.keys()) {
                steps.add(listName + "/" + key);
            }
            return String.join("/", steps);
        }

        private Group group(String path) {
            if (windowsGroups != null) {
                return windowsGroups.get(path);
            }
            try {
                Node node = hdf.getByPath(path);
                return node instanceof Group g ? g : null;
            } catch (RuntimeException missing) {
                return null;
            }
        }

        @Override
        public void close() {
            hdf.close();
        }
    }

    /**
     * The keys saving_lib gives layers in a list: snake-cased class name, then _1, _2... for repeats. Keras 2.13's
     * {@code _layer_checkpoint_dependencies} lists a layer with weights twice ({@code layer_with_weights-k} and
     * {@code layer-i}) and its container walk counted both before 2.14 learned to skip visited layers, so there
     * the second Conv2D of a model is {@code conv2d_2}.
     */
    static final class ArchiveKeys implements WeightStore.LayerKeys {
        private final Map<String, Integer> used = new HashMap<>();
        private final boolean doubleCountWeighted;

        ArchiveKeys(boolean doubleCountWeighted) {
            this.doubleCountWeighted = doubleCountWeighted;
        }

        @Override
        public String next(String className, boolean weighted) {
            String key = take(snakeCase(className));
            if (doubleCountWeighted && weighted) {
                take(snakeCase(className));
            }
            return key;
        }

        private String take(String base) {
            Integer count = used.get(base);
            if (count == null) {
                used.put(base, 0);
                return base;
            }
            used.put(base, count + 1);
            return base + "_" + (count + 1);
        }

        static String snakeCase(String name) {
            // keras.src.utils.naming.to_snake_case
            String s = name.replaceAll("\\W+", "");
            s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
            return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        }
    }
}

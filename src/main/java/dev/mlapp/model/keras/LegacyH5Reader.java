package dev.mlapp.model.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelReader;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.model.TfModel;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the HDF5 layout of {@code model.save("x.h5")} as standalone Keras 2, tf.keras 2 and Keras 3
 * ({@code keras/src/legacy/saving/legacy_h5_format.py}) all write it: the root attribute {@code model_config}
 * holds the architecture JSON, and group {@code model_weights} holds one group per top-level layer whose
 * {@code weight_names} attribute lists that layer's datasets in order.
 *
 * <p>A nested model (a {@code Sequential} whose first layer is a whole VGG16) is one top-level layer: its group holds
 * every inner weight, named {@code <inner layer>/<weight>:0} (tf.keras) or {@code <scope>/<inner layer>/<weight>}
 * (Keras 3 variable paths), in trainable-then-non-trainable order when the nested model is trainable and layer
 * order when frozen. Grouping by the inner layer's name recovers each inner layer's own weights in its own order
 * either way.
 */
final class LegacyH5Reader implements ModelReader {

    @Override
    public TfModel load(Path file, SessionOptions options) {
        try (KerasModelFile keras = read(file)) {
            return KerasImporter.build(file, keras, options);
        }
    }

    /** A weights-only HDF5 file ({@code model.save_weights}) with the architecture JSON of {@code model.to_json()}. */
    @Override
    public TfModel load(Path architecture, Path weights, SessionOptions options) {
        try (KerasModelFile keras = readWeightsOnly(architecture, weights)) {
            return KerasImporter.build(weights, keras, options);
        }
    }

    static KerasModelFile read(Path file) {
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot read HDF5 file " + file + ": " + e.getMessage(), e);
        }
        try {
            String config = Hdf5Values.string(hdf, "model_config");
            if (config == null) {
                throw new ModelLoadException(file + " holds no model_config: it is a weights-only file "
                        + "(model.save_weights). Give the architecture too: --model arch.json --weights "
                        + file.getFileName() + " (the JSON of model.to_json()), or save the whole model with "
                        + "model.save(\"model.keras\")");
            }
            JsonObject modelConfig = JsonParser.parseString(config).getAsJsonObject();
            Node weightsNode = hdf.getChild("model_weights");
            if (!(weightsNode instanceof Group weights)) {
                throw new ModelLoadException(file + " holds a model_config but no model_weights group");
            }
            String version = firstNonNull(Hdf5Values.string(hdf, "keras_version"),
                    Hdf5Values.string(weights, "keras_version"), "unknown");
            String backend = firstNonNull(Hdf5Values.string(hdf, "backend"),
                    Hdf5Values.string(weights, "backend"), "unknown");
            return new KerasModelFile("keras-h5", modelConfig, version, backend, new Store(hdf, weights, layerNames(modelConfig)));
        } catch (RuntimeException e) {
            hdf.close();
            throw e instanceof ModelLoadException ? e
                    : new ModelLoadException("cannot read Keras HDF5 file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A weights-only file ({@code model.save_weights("w.h5")}: the per-layer groups at the root, no
     * {@code model_config}) with its architecture from {@code model.to_json()} in a separate file.
     */
    static KerasModelFile readWeightsOnly(Path architecture, Path file) {
        JsonObject modelConfig;
        try {
            JsonElement json = JsonParser.parseString(Files.readString(architecture, StandardCharsets.UTF_8));
            modelConfig = json.getAsJsonObject();
            if (!modelConfig.has("class_name")) {
                throw new IllegalStateException("no class_name at the top level");
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read the architecture " + architecture + " (the JSON that "
                    + "model.to_json() writes): " + e.getMessage(), e);
        }
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot read HDF5 weights file " + file + ": " + e.getMessage(), e);
        }
        // model.save() files keep their layer groups under model_weights; save_weights() ones at the root
        Group weights = hdf.getChild("model_weights") instanceof Group g ? g : hdf;
        String version = firstNonNull(Hdf5Values.string(hdf, "keras_version"),
                modelConfig.has("keras_version") ? modelConfig.get("keras_version").getAsString() : null, "unknown");
        String backend = firstNonNull(Hdf5Values.string(hdf, "backend"),
                modelConfig.has("backend") ? modelConfig.get("backend").getAsString() : null, "unknown");
        return new KerasModelFile("keras-h5", modelConfig, version, backend, new Store(hdf, weights, layerNames(modelConfig)));
    }

    private static String firstNonNull(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The names of every layer in the model's layer lists, nested models included. */
    static java.util.Set<String> layerNames(JsonObject model) {
        java.util.Set<String> names = new java.util.HashSet<>();
        collectNames(model, names);
        return names;
    }

    private static void collectNames(JsonObject model, java.util.Set<String> names) {
        JsonElement config = model.get("config");
        JsonElement layers = config == null ? null : config.isJsonArray() ? config
                : config.isJsonObject() ? config.getAsJsonObject().get("layers") : null;
        if (layers == null || !layers.isJsonArray()) {
            return;
        }
        for (JsonElement e : layers.getAsJsonArray()) {
            JsonObject layer = e.getAsJsonObject();
            JsonElement c = layer.get("config");
            if (c != null && c.isJsonObject() && c.getAsJsonObject().has("name")) {
                names.add(c.getAsJsonObject().get("name").getAsString());
            }
            if (layer.has("name") && layer.get("name").isJsonPrimitive()) {
                names.add(layer.get("name").getAsString());
            }
            collectNames(layer, names);
        }
    }

    /** @param layerNames every layer name of the model, to tell which layer a scoped weight name belongs to */
    private record Store(HdfFile hdf, Group root, java.util.Set<String> layerNames) implements WeightStore {

        @Override
        public List<FloatArray> weightsOf(LayerPath layer) {
            Node node;
            try {
                // a tf.keras layer named "Conv/BatchNorm" is the group Conv/BatchNorm (h5py nests at "/")
                node = root.getByPath(layer.names().get(0));
            } catch (RuntimeException missing) {
                return List.of();
            }
            if (!(node instanceof Group group)) {
                return List.of();
            }
            List<String> names = Hdf5Values.strings(group, "weight_names");
            List<FloatArray> values = new ArrayList<>();
            for (String name : names) {
                if (layer.depth() == 1 || layer.leafName().equals(owner(name))) {
                    values.add(Hdf5Values.floats(dataset(group, name)));
                }
            }
            return values;
        }

        /**
         * The layer a weight name belongs to: {@code block1_conv1/kernel:0} and {@code sequential/vgg16/block1_conv1/
         * kernel} name block1_conv1, an RNN's variables sit one scope deeper ({@code lstm/lstm_cell/kernel:0}), and
         * tf.keras layer names may hold a {@code /} themselves ({@code Conv/BatchNorm/gamma:0} is Conv/BatchNorm's,
         * never Conv's). So the owner is the layer whose whole name, followed by {@code /}, starts a scope of the
         * weight name and ends the innermost; of two ending there, the longer name.
         */
        private String owner(String weightName) {
            String owner = null;
            int ownerEnd = -1;
            for (String candidate : layerNames) {
                String scope = candidate + "/";
                for (int at = weightName.indexOf(scope); at >= 0; at = weightName.indexOf(scope, at + 1)) {
                    if (at != 0 && weightName.charAt(at - 1) != '/') {
                        continue;
                    }
                    int end = at + scope.length();
                    if (end > ownerEnd || (end == ownerEnd && candidate.length() > owner.length())) {
                        owner = candidate;
                        ownerEnd = end;
                    }
                }
            }
            return owner;
        }

        private static Dataset dataset(Group group, String name) {
            Node node = group.getByPath(name);
            if (!(node instanceof Dataset dataset)) {
                throw new ModelLoadException("weight " + name + " listed in " + group.getPath() + " is missing");
            }
            return dataset;
        }

        @Override
        public void close() {
            hdf.close();
        }
    }
}

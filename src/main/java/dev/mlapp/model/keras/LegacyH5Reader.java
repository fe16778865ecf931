package dev.mlapp.model.keras;

import com.google.gson.JsonElement;
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
final class LegacyH5Reader {

    private LegacyH5Reader() {
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
            return new KerasModelFile("keras-h5", modelConfig, version, backend, new Store(hdf, weights));
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
        return new KerasModelFile("keras-h5", modelConfig, version, backend, new Store(hdf, weights));
    }

    private static String firstNonNull(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private record Store(HdfFile hdf, Group root) implements WeightStore {

        @Override
        public List<FloatArray> weightsOf(LayerPath layer) {
            Node node = root.getChild(layer.names().get(0));
            if (!(node instanceof Group group)) {
                return List.of();
            }
            List<String> names = Hdf5Values.strings(group, "weight_names");
            List<FloatArray> values = new ArrayList<>();
            for (String name : names) {
                if (layer.depth() == 1 || belongsTo(name, layer.leafName())) {
                    values.add(Hdf5Values.floats(dataset(group, name)));
                }
            }
            return values;
        }

        /**
         * {@code block1_conv1/kernel:0} and {@code sequential/vgg16/block1_conv1/kernel} both name block1_conv1; an
         * RNN's variables sit one scope deeper ({@code lstm/lstm_cell/kernel:0},
         * {@code bidirectional/forward_lstm/lstm_cell/kernel:0}), so any scope of the name may be the layer's.
         */
        private static boolean belongsTo(String weightName, String layer) {
            String[] parts = weightName.split("/");
            for (int i = 0; i < parts.length - 1; i++) {
                if (parts[i].equals(layer)) {
                    return true;
                }
            }
            return false;
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

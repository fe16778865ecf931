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
import java.util.List;
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
            return new KerasModelFile("keras-zip", config, version, backend, new Store(hdf));
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

    private record Store(HdfFile hdf) implements WeightStore {

        @Override
        public List<FloatArray> weightsOf(LayerPath layer) {
            Group vars = vars(layer, KERAS3_LAYERS);
            if (vars == null) {
                vars = vars(layer, KERAS2_LAYERS);
            }
            if (vars == null) {
                return List.of();
            }
            List<FloatArray> values = new ArrayList<>();
            for (int i = 0; vars.getChild(Integer.toString(i)) instanceof Dataset d; i++) {
                values.add(Hdf5Values.floats(d));
            }
            return values;
        }

        private Group vars(LayerPath layer, String listName) {
            StringBuilder path = new StringBuilder();
            for (String key : layer.archiveKeys()) {
                path.append(listName).append('/').append(key).append('/');
            }
            path.append("vars");
            try {
                Node node = hdf.getByPath(path.toString());
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
}

package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.mlapp.model.Model;
import dev.mlapp.model.ModelFormat;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.testing.SystemTools;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The {@code .keras} weight-key rule ({@link KerasArchiveReader.ArchiveKeys}) on archives real Keras versions wrote
 * (../shared/keras-realworld: tf.keras 2.15 and Keras 3.1–3.15): every variable stored under a {@code vars} group is
 * read by exactly one layer, which a wrong counter (2.13's double count on a later file, or a missed repeat) breaks.
 * The corpus holds no Keras 2.13 archive; the 2.13 double count is checked on the fixture the generator writes.
 */
class ArchiveKeysRealWorldTest {

    @TestFactory
    Stream<DynamicTest> everyStoredVariableIsReadOnce() throws IOException {
        Path root = SystemTools.requireShared("keras-realworld");
        List<Path> archives;
        try (Stream<Path> dirs = Files.list(root)) {
            archives = dirs.map(d -> d.resolve("model.keras")).filter(Files::exists)
                    .filter(f -> ModelFormat.detect(f) == ModelFormat.KERAS_ZIP)
                    .filter(f -> !KerasRealWorldTest.PYTHON_CODE.containsKey(name(f)))
                    .sorted().toList();
        }
        return archives.stream().map(f -> DynamicTest.dynamicTest(name(f), () -> {
            long stored = storedVariables(f);
            try (Model model = ModelLoader.load(f, SessionOptions.TENSORFLOW_DEFAULTS)) {
                String read = model.info().detail("parameters").orElseThrow();
                assertEquals(Long.toString(stored), read, name(f) + " (Keras "
                        + model.info().detail("keras_version").orElse("?") + "): values stored vs read");
            }
        }));
    }

    @Test
    void keras215CountsEachLayerOnce() throws IOException {
        // Sequential with Conv2D x3 and Dense x2, written by tf.keras 2.15: conv2d, conv2d_1, conv2d_2, not 2.13's
        // conv2d, conv2d_2, conv2d_4
        Path file = SystemTools.requireShared("keras-realworld/medmnist_cnn_bigkatoan_k215/model.keras");
        try (ZipFile zip = new ZipFile(file.toFile());
             HdfFile h5 = HdfFile.fromBytes(zip.getInputStream(zip.getEntry("model.weights.h5")).readAllBytes())) {
            for (String key : List.of("conv2d", "conv2d_1", "conv2d_2", "dense", "dense_1")) {
                assertNotNull(h5.getByPath("layers/" + key + "/vars/0"), key);
            }
        }
        KerasArchiveReader.ArchiveKeys keys215 = new KerasArchiveReader.ArchiveKeys(false);
        assertEquals(List.of("conv2d", "max_pooling2d", "conv2d_1", "conv2d_2", "dense", "dense_1"), List.of(
                keys215.next("Conv2D", true), keys215.next("MaxPooling2D", false), keys215.next("Conv2D", true),
                keys215.next("Conv2D", true), keys215.next("Dense", true), keys215.next("Dense", true)));
    }

    private static String name(Path file) {
        return file.getParent().getFileName().toString();
    }

    private static long storedVariables(Path archive) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile());
             HdfFile h5 = HdfFile.fromBytes(zip.getInputStream(zip.getEntry("model.weights.h5")).readAllBytes())) {
            // the layers' variables; the optimizer's slots sit beside them under "optimizer"
            long total = 0;
            for (String list : List.of("layers", "_layer_checkpoint_dependencies")) {
                if (h5.getChildren().get(list) instanceof Group layers) {
                    total += count(layers);
                }
            }
            return total;
        }
    }

    private static long count(Group group) {
        long total = 0;
        for (Node child : group.getChildren().values()) {
            if (child instanceof Group g) {
                total += count(g);
            } else if (child instanceof Dataset d && group.getName().equals("vars")) {
                total += d.getSize();
            }
        }
        return total;
    }
}

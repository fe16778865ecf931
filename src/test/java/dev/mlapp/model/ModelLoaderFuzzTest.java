package dev.mlapp.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of model loading (format detection, the HDF5 reader, the .keras zip reader, the Keras
 * config and weights, graph building) on malformed files: it loads or fails with {@link ModelLoadException},
 * whose message the server prints; nothing else may escape, and the fuzzer's timeout catches hangs.
 * Seeds: small Keras 2/3 {@code .h5} and {@code .keras} files from the fixtures.
 */
class ModelLoaderFuzzTest {

    private static final SessionOptions ONE_THREAD = new SessionOptions(1, 1);

    @FuzzTest(maxDuration = "30s")
    void load(byte[] file) throws Exception {
        Path path = Files.createTempFile("fuzz-model", suffix(file));
        try {
            Files.write(path, file);
            try (Model model = ModelLoader.load(path, ONE_THREAD)) {
                model.info();
            } catch (ModelLoadException expected) {
                // a clean refusal with a message for the user
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private static String suffix(byte[] file) {
        return file.length > 1 && file[0] == 'P' && file[1] == 'K' ? ".keras" : ".h5";
    }
}

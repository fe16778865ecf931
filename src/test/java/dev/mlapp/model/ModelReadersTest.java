package dev.mlapp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** One reader per format, and the format packages depend on {@code model}, never the other way round. */
class ModelReadersTest {

    private static final Path MODEL_SOURCES = Path.of("src/main/java/dev/mlapp/model");

    /** Fails when a format's reader is missing, e.g. the Keras importer's META-INF/services entry. */
    @Test
    void everyFormatHasItsOwnReader() {
        for (ModelFormat format : ModelFormat.values()) {
            assertNotNull(ModelLoader.reader(format), format.id());
        }
    }

    @Test
    void theModelPackageNamesNoFormatPackage() throws IOException {
        List<String> offending = new ArrayList<>();
        try (Stream<Path> files = Files.list(MODEL_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains("dev.mlapp.model.keras")) {
                        offending.add(file.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), offending, "model must not depend on model.keras: find its readers through "
                + "ModelReader.Provider");
    }
}

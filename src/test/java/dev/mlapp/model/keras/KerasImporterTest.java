package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.SessionOptions;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the importer owns while it builds: a failed load releases everything and returns promptly. */
class KerasImporterTest {

    /**
     * Issue #25 item 4: the file was hashed after the session was created, and when hashing failed (the file removed
     * mid-load) the graph was closed under the open session; TF-Java's Graph.close() then waits for that session
     * forever, which froze the versions poller. The load must fail with the reason, at once.
     */
    @Test
    void aFileThatVanishesDuringTheLoadFailsPromptlyInsteadOfHanging() throws URISyntaxException {
        Path fixture = Path.of(KerasImporterTest.class.getResource(
                "/keras-fixtures/nested_trainable_keras3_keras/model.keras").toURI());
        Path vanished = fixture.resolveSibling("removed-during-load.keras");
        ModelLoadException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (KerasModelFile keras = KerasArchiveReader.read(fixture)) {
                return assertThrows(ModelLoadException.class,
                        () -> KerasImporter.build(vanished, keras, SessionOptions.TENSORFLOW_DEFAULTS).close());
            }
        }, "a failed load hung (the graph closed under its open session)");
        assertTrue(e.getMessage().contains("removed-during-load.keras"), e.getMessage());
    }
}

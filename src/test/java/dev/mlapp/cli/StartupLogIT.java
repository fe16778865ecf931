package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a person sees when the server starts through the README's launcher ({@code ./ml-app}): a handful of lines
 * saying what is served and where, not a line per HDF5 dataset, TensorFlow's CPU notes or JDK warnings about
 * {@code sun.misc.Unsafe}. A Keras {@code .h5} is served, so jHDF reads every dataset.
 */
class StartupLogIT {

    /**
     * Ours (process, engine, listening, calibration, model, ready) and TensorFlow's two absl lines no setting
     * reaches.
     */
    static final int MOST_LINES = 8;
    private static final Path MODEL = Path.of("src/test/resources/keras-fixtures/nested_trainable_tfkeras2_h5/model.h5");

    private static List<String> startAndStop(Map<String, String> env) throws IOException, InterruptedException {
        assertTrue(Files.exists(Path.of("target", "ml-app.jar")), "run after 'mvn package'");
        ProcessBuilder builder = new ProcessBuilder("./ml-app", "--host", "127.0.0.1", "--port", "0",
                "--pod-name", "log-pod", "--model", MODEL.toString()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // the helper takes it first
        builder.environment().remove("TF_CPP_MIN_LOG_LEVEL"); // as in a person's shell
        builder.environment().putAll(env);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.contains("ml-app ready")) {
                    break;
                }
            }
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        } finally {
            process.destroyForcibly();
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("ml-app ready")), String.join("\n", lines));
        return lines;
    }

    @Test
    void startUpIsAHandfulOfLinesThatSayWhatIsServed() throws Exception {
        List<String> lines = startAndStop(Map.of());
        String log = String.join("\n", lines);
        System.out.println("start-up, " + lines.size() + " lines:\n" + log);
        assertTrue(lines.size() <= MOST_LINES, lines.size() + " lines:\n" + log);
        assertTrue(log.contains("as pod log-pod"), log);
        assertTrue(log.matches("(?s).*engine: \\d+ worker.*intra-op.*inter-op.*"), log);
        assertTrue(log.matches("(?s).*listening on http://127\\.0\\.0\\.1:\\d+/.*"), log);
        assertTrue(log.matches("(?s).*model: .*keras-h5, [\\d.]+ [kM]B, sha256 [0-9a-f]{12}\\.\\.\\.\\), input \\d+x\\d+x\\d+,"
                + " \\d+ labels .*scaling 0,1 \\(.+\\), loaded and warmed up in [\\d.]+ s.*"), log);
        assertTrue(log.matches("(?s).*ml-app ready [\\d.]+ s after start.*"), log);
        assertTrue(log.chars().allMatch(c -> c < 128), "ASCII, whatever the locale:\n" + log);
        for (String noise : List.of("jhdf", "Unsafe", "oneDNN", "cpu_feature_guard", "bytes remaining")) {
            assertFalse(log.contains(noise), noise + ":\n" + log);
        }
    }

    @Test
    void jsonLogsAreJsonLines() throws Exception {
        List<String> lines = startAndStop(Map.of("LOG_FORMAT", "json"));
        List<String> ours = lines.stream().filter(l -> !isTensorFlowsAbslLine(l)).toList();
        assertTrue(ours.size() >= 4, String.join("\n", lines));
        for (String line : ours) {
            assertEquals("INFO", JsonParser.parseString(line).getAsJsonObject().get("level").getAsString(), line);
        }
    }

    @Test
    void debugLetsTheLibrariesSpeak() throws Exception {
        List<String> lines = startAndStop(Map.of("LOG_LEVEL", "debug"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("io.jhdf")), String.join("\n", lines));
    }

    /** TensorFlow logs these through absl before anything could initialise it: no variable reaches them. */
    private static boolean isTensorFlowsAbslLine(String line) {
        return line.startsWith("WARNING: All log messages before absl::InitializeLog()")
                || line.matches("I0000 .*mlir_graph_optimization_pass.*");
    }
}

package dev.mlapp.k8s;

import static dev.mlapp.serve.ServeSettings.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.http.MlServer;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.SystemTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the image of the model files next to the Dockerfile: everything {@code ./ml-app --model} takes
 * (a {@code .h5}, a {@code model.keras}, the weights-only pair) with the labels files it reads beside a model. The
 * build context's filter ({@code .dockerignore}) is read as Docker reads it, the model stage's script
 * ({@code docker/model-files.sh}) is run on real files, and what it leaves is served. {@code scripts/test/test-image.sh}
 * builds the same with buildah (CI).
 */
class ImageModelFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir
    Path dir;

    private record Run(int status, String err, Map<String, String> files) {
    }

    /** Runs the model stage's script on a context holding {@code files} (name → content). */
    private Run modelStage(Map<String, String> files) throws IOException, InterruptedException {
        Path context = Files.createDirectories(dir.resolve("context"));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(context.resolve(f.getKey()), f.getValue());
        }
        Path model = dir.resolve("model");
        Process process = new ProcessBuilder("sh", ROOT.resolve("docker/model-files.sh").toString(),
                context.toString(), model.toString()).start();
        process.getOutputStream().close();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        Map<String, String> out = new TreeMap<>();
        if (Files.isDirectory(model)) {
            try (Stream<Path> listed = Files.list(model)) {
                for (Path p : listed.toList()) {
                    out.put(p.getFileName().toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return new Run(process.exitValue(), err, out);
    }

    @Test
    void theCoursesModelKerasWithItsLabelsReachesTheImageAndIsServedWithThem() throws Exception {
        Run run = modelStage(Map.of("model.keras", "zip", "labels.txt", "cat\ndog\n"));
        assertEquals(0, run.status(), run.err());
        assertEquals(Map.of("model.keras", "zip", "labels.txt", "cat\ndog\n",
                "model.env", "MODEL_PATH=/opt/ml-app/model/model.keras\n"), run.files());
    }

    @Test
    void everyFormOfModelIsTakenAsMlAppTakesIt() throws Exception {
        assertEquals("MODEL_PATH=/opt/ml-app/model/ml-lb.h5\n", modelStage(Map.of("ml-lb.h5", "h")).files()
                .get("model.env"));
    }

    @Test
    void theWeightsOnlyPairGetsBothPaths() throws Exception {
        Run run = modelStage(Map.of("model.json", "{}", "weights.h5", "w", "class_names.txt", "a\nb\n",
                "labels.json", "[\"a\", \"b\"]"));
        assertEquals(0, run.status(), run.err());
        assertEquals("MODEL_PATH=/opt/ml-app/model/model.json\nWEIGHTS_PATH=/opt/ml-app/model/weights.h5\n",
                run.files().get("model.env"));
        assertTrue(run.files().keySet().containsAll(List.of("model.json", "weights.h5", "class_names.txt",
                "labels.json")), run.files().keySet().toString());
    }

    @Test
    void twoModelsFailTheBuildWithASentenceAndNoneServesTheDemo() throws Exception {
        Run two = modelStage(Map.of("ml-lb.h5", "h", "model.keras", "k"));
        assertEquals(1, two.status());
        assertTrue(two.err().contains("keep one model"), two.err());
        Files.delete(dir.resolve("context/ml-lb.h5"));
        Files.delete(dir.resolve("context/model.keras"));
        Run none = modelStage(Map.of());
        assertEquals(0, none.status(), none.err());
        assertEquals(Map.of(), none.files(), "no model.env: the entry point serves the embedded demo model");
    }

    /** Docker's rule: the last pattern that matches a path decides; {@code !} lets it in again. */
    @Test
    void theBuildContextLetsInEveryModelFileAndNothingElseNew() throws IOException {
        List<String> patterns = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                patterns.add(line.strip());
            }
        }
        for (String in : List.of("ml-lb.h5", "model.keras", "model.hdf5", "labels.txt", "labels.json",
                "class_names.txt", "model.json", "weights.h5", "pom.xml")) {
            assertTrue(included(patterns, in), in + " must reach the build context");
        }
        for (String out : List.of("README.md", "notes.txt", "target", "photo.jpg")) {
            assertTrue(!included(patterns, out), out + " must stay out of the build context");
        }
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("RUN sh /context/docker/model-files.sh /context /model")
                && dockerfile.contains("COPY --from=model /model /opt/ml-app/model"), "the model stage runs it");
        assertTrue(Files.readString(ROOT.resolve("docker/entrypoint.sh")).contains(". \"$app/model/model.env\""),
                "the entry point reads what it wrote");
    }

    private static boolean included(List<String> patterns, String name) {
        boolean included = true;
        for (String pattern : patterns) {
            boolean negated = pattern.startsWith("!");
            String glob = (negated ? pattern.substring(1) : pattern).replaceAll("/$", "");
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            if (matcher.matches(Path.of(name))) {
                included = negated;
            }
        }
        return included;
    }

    /** The files as the image holds them, served as the entry point serves them: the labels are the file's. */
    @Test
    void theModelStagesFilesAreServedWithTheirLabels() throws Exception {
        Path keras = SystemTools.requireShared("keras-realworld/cifar10_cnn_melvin_k3/model.keras");
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.copy(keras, context.resolve("model.keras"));
        List<String> names = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                "truck");
        Files.writeString(context.resolve("labels.txt"), String.join("\n", names) + "\n");
        Run run = modelStage(Map.of());
        assertEquals(0, run.status(), run.err());
        String modelPath = run.files().get("model.env").strip().replace("MODEL_PATH=/opt/ml-app/model/", "");
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, dir.resolve("model").resolve(modelPath)));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            JsonObject info = JsonParser.parseString(new HttpTestClient(server.port()).get("/api/v1/model").body())
                    .getAsJsonObject();
            assertEquals(names.toString().replace(" ", ""), info.getAsJsonArray("labels").toString()
                    .replace("\"", ""), info.toString());
        } finally {
            server.drainAndStop();
        }
    }
}

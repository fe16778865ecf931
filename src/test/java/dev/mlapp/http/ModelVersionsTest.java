package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.MODEL;
import static dev.mlapp.serve.ServeSettings.VERSION_POLL_INTERVAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.EmbeddedModel;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.SavedModelExporter;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory of numbered versions, TensorFlow Serving's layout, served over real HTTP: the newest is served; a new
 * one is loaded beside it and swapped in while clients keep sending, with no request failing and each answered by
 * exactly one version; a broken version is refused and the serving one kept; removing versions rolls back.
 */
class ModelVersionsTest {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final int CLIENTS = 4;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final byte[] jpeg = TestImages.picture("jpg", 96, 64);

    /** One answer: the status, the version header, and the digest of the model that computed it. */
    private record Answer(int status, String version, String sha256) {
    }

    @Test
    void swapsVersionsWithoutFailingARequestAndRefusesABrokenOne(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("food11");
        Path v1 = Files.createDirectories(models.resolve("1"));
        try (InputStream demo = EmbeddedModel.class.getClassLoader().getResourceAsStream(EmbeddedModel.RESOURCE)) {
            Files.copy(demo, v1.resolve("model.h5"));
        }
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, models).with(VERSION_POLL_INTERVAL, POLL));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            Answer first = predict(server);
            assertEquals(new Answer(200, "1", first.sha256()), first);
            assertEquals("[\"1\"]", json(get(server, "/v2/models/food11")).get("versions").toString());

            // Version 2: the same network as a SavedModel (another file, so another digest), put in place with one
            // rename, as TensorFlow Serving asks, while clients keep sending.
            Path staging = tmp.resolve("staging");
            try (Model demo = ModelLoader.load(null, SessionOptions.TENSORFLOW_DEFAULTS)) {
                SavedModelExporter.export(demo, staging);
            }
            ConcurrentLinkedQueue<List<Answer>> perClient = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    List<Answer> answers = new ArrayList<>();
                    while (!stop.get()) {
                        answers.add(predict(server));
                    }
                    perClient.add(answers);
                    return null;
                }));
            }
            Thread.sleep(300);
            Files.move(staging, models.resolve("2"), StandardCopyOption.ATOMIC_MOVE);
            awaitVersion(server, "2");
            Thread.sleep(300);
            stop.set(true);
            for (Future<?> f : running) {
                f.get();
            }
            clients.shutdown();

            Map<String, String> digestOf = new ConcurrentHashMap<>();
            int answered = 0;
            for (List<Answer> answers : perClient) {
                String last = "1";
                for (Answer a : answers) {
                    assertEquals(200, a.status(), "no request fails during the swap: " + a);
                    assertEquals(a.sha256(), digestOf.computeIfAbsent(a.version(), v -> a.sha256()),
                            "version " + a.version() + " is always the same model: one version answered");
                    assertTrue(a.version().compareTo(last) >= 0, "a client never goes back to version 1");
                    last = a.version();
                    answered++;
                }
            }
            assertEquals(Map.of("1", first.sha256(), "2", digestOf.get("2")), digestOf, "both versions answered");
            assertTrue(!digestOf.get("1").equals(digestOf.get("2")));
            JsonObject model = json(get(server, "/api/v1/model"));
            assertEquals("2", model.get("version").getAsString());
            assertEquals("{\"2\":\"serving\",\"1\":\"retired\"}", model.get("versions").toString());
            System.out.println("versions: " + answered + " requests across the swap, all 200");

            // Version 3 is broken: refused, version 2 keeps serving.
            Path broken = Files.createDirectories(tmp.resolve("broken"));
            Files.writeString(broken.resolve("model.h5"), "not a model");
            Files.move(broken, models.resolve("3"), StandardCopyOption.ATOMIC_MOVE);
            awaitModel(server, m -> m.getAsJsonObject("versions").has("3")
                    && m.getAsJsonObject("versions").get("3").getAsString().startsWith("refused: "));
            assertEquals(new Answer(200, "2", digestOf.get("2")), predict(server));
            HttpResponse<String> ready = get(server, "/readyz");
            assertEquals(200, ready.statusCode(), ready.body());

            // Rolling back: without 3 and 2, version 1 is the newest again.
            deleteTree(models.resolve("3"));
            deleteTree(models.resolve("2"));
            awaitVersion(server, "1");
            HttpResponse<String> v2 = post(server, "/v2/models/food11/versions/2/infer", "{}");
            assertEquals(404, v2.statusCode(), v2.body());
        } finally {
            server.drainAndStop();
        }
    }

    private Answer predict(MlServer server) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/api/v1/predict"))
                .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(jpeg))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        String version = response.headers().firstValue(PredictHandlers.MODEL_VERSION_HEADER).orElse("none");
        String sha = response.statusCode() == 200
                ? json(response).getAsJsonObject("model").get("sha256").getAsString() : response.body();
        return new Answer(response.statusCode(), version, sha);
    }

    private void awaitVersion(MlServer server, String version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!predict(server).version().equals(version)) {
            assertTrue(System.nanoTime() < deadline, "version " + version + " never answered");
            Thread.sleep(POLL.toMillis());
        }
    }

    private void awaitModel(MlServer server, Predicate<JsonObject> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonObject model;
        while (!condition.test(model = json(get(server, "/api/v1/model")))) {
            assertTrue(System.nanoTime() < deadline, "never happened: " + model);
            Thread.sleep(POLL.toMillis());
        }
    }

    private HttpResponse<String> get(MlServer server, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(MlServer server, String path, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

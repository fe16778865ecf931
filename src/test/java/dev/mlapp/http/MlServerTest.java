package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.MAX_BODY_BYTES;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every route of the serving core over real HTTP, against the embedded model and real TensorFlow. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MlServerTest {

    private static final String POD = "ml-app-test-7f9c";
    private MlServer server;
    private HttpTestClient http;
    private final byte[] jpeg = TestImages.picture("jpg", 300, 200);

    @BeforeAll
    void start() {
        server = Serving.start(ServeConfig.loopback().with(POD_NAME, POD));
        server.awaitStartup(Duration.ofMinutes(2));
        http = new HttpTestClient(server.port());
    }

    @AfterAll
    void stop() {
        server.drainAndStop();
    }

    private static JsonObject json(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, json(response).get("error").getAsString(), response.body());
        assertTrue(json(response).get("message").getAsString().length() > 10, "a sentence for people");
        assertEquals(POD, response.headers().firstValue("X-Pod-Name").orElseThrow());
    }

    @Test
    void predictAnswersTheCoursesTextByDefaultAndSaysTheModelIsTheDemo() {
        HttpResponse<String> response = http.upload("/predict", "file", jpeg);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().matches("(?s)[A-Za-z/ ]+ \\(0\\.\\d\\d\\), Inference Time : \\d+\\.\\d{4} seconds"
                + " \\(demo model: untrained weights\\)\\n"), response.body());
        assertEquals(POD, response.headers().firstValue("X-Pod-Name").orElseThrow());
    }

    @Test
    void theTextAnswersTimeIsTheCoursesPreprocessingAndModelTogether() {
        // A 2400×1800 photo: decoding and resizing it takes far longer than the demo model's run.
        HttpResponse<String> response = http.upload("/predict", "file", TestImages.picture("jpg", 2400, 1800));
        assertEquals(200, response.statusCode(), response.body());
        java.util.regex.Matcher time = java.util.regex.Pattern.compile("Inference Time : (\\d+\\.\\d{4}) seconds")
                .matcher(response.body());
        assertTrue(time.find(), response.body());
        double textMs = Double.parseDouble(time.group(1)) * 1000;
        String timing = response.headers().firstValue("Server-Timing").orElseThrow();
        java.util.regex.Matcher parts = java.util.regex.Pattern.compile(
                "preprocess;dur=([\\d.]+), queue;dur=([\\d.]+), inference;dur=([\\d.]+)").matcher(timing);
        assertTrue(parts.matches(), timing);
        double preprocess = Double.parseDouble(parts.group(1));
        double total = preprocess + Double.parseDouble(parts.group(2)) + Double.parseDouble(parts.group(3));
        assertEquals(total, textMs, 0.1, "the course's time: open, convert, resize and predict (" + timing + ")");
        assertTrue(preprocess > Double.parseDouble(parts.group(3)), "this photo's decoding outweighs the model: "
                + timing);
        JsonObject json = json(http.upload("/predict", "file", jpeg, "Accept", "application/json"));
        assertTrue(json.get("inference_ms").getAsDouble() < json.get("preprocess_ms").getAsDouble()
                + json.get("queue_ms").getAsDouble() + json.get("inference_ms").getAsDouble(),
                "the JSON keeps the model's run alone: " + json);
    }

    @Test
    void predictAnswersJsonWhenAsked() {
        JsonObject body = json(http.upload("/predict", "file", jpeg, "Accept", "application/json"));
        assertEquals(5, body.getAsJsonArray("top_k").size());
        assertEquals(body.get("label").getAsString(),
                body.getAsJsonArray("top_k").get(0).getAsJsonObject().get("label").getAsString());
    }

    @Test
    void predictAcceptsARawImageBody() {
        HttpResponse<String> response = http.raw("/predict", "image/png", TestImages.picture("png", 64, 64));
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void apiPredictReturnsRankedProbabilitiesPodAndModel() {
        HttpResponse<String> response = http.upload("/api/v1/predict?k=3", "file", jpeg);
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = json(response);
        var top = body.getAsJsonArray("top_k");
        assertEquals(3, top.size());
        float previous = Float.MAX_VALUE;
        for (var entry : top) {
            float p = entry.getAsJsonObject().get("probability").getAsFloat();
            assertTrue(p <= previous && p >= 0 && p <= 1);
            previous = p;
        }
        assertEquals(top.get(0).getAsJsonObject().get("probability").getAsFloat(), body.get("confidence").getAsFloat());
        assertTrue(body.get("inference_ms").getAsDouble() > 0);
        assertTrue(body.get("total_ms").getAsDouble() >= body.get("inference_ms").getAsDouble());
        assertEquals(POD, body.get("pod").getAsString());
        JsonObject model = body.getAsJsonObject("model");
        assertTrue(model.get("demo").getAsBoolean());
        assertTrue(model.get("name").getAsString().contains("demo"));
        assertFalse(model.get("sha256").getAsString().isEmpty());
    }

    @Test
    void everyImageFormatIsAccepted() {
        for (String format : List.of("jpg", "png", "gif", "bmp")) {
            HttpResponse<String> response = http.upload("/api/v1/predict", "file", TestImages.picture(format, 50, 80));
            assertEquals(200, response.statusCode(), format + ": " + response.body());
        }
    }

    @Test
    void testRoutePredictsTheBundledSample() {
        HttpResponse<String> text = http.get("/test");
        assertEquals(200, text.statusCode(), text.body());
        assertTrue(text.body().contains("Inference Time :"), text.body());
        JsonObject json = json(http.get("/test", "Accept", "application/json"));
        assertEquals(5, json.getAsJsonArray("top_k").size());
        assertTrue(text.body().startsWith(json.get("label").getAsString() + " ("), "same sample, same answer");
    }

    @Test
    void everyResponseEchoesTheRequestIdOrMakesOneAndErrorBodiesQuoteIt() {
        HttpResponse<String> echoed = http.get("/healthz", "X-Request-Id", "checkout-42.a");
        assertEquals("checkout-42.a", echoed.headers().firstValue("X-Request-Id").orElseThrow());
        HttpResponse<String> made = http.get("/healthz");
        String id = made.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(id.matches("[0-9a-f-]{36}"), id);
        assertFalse(id.equals(http.get("/healthz").headers().firstValue("X-Request-Id").orElseThrow()));
        HttpResponse<String> refused = http.get("/healthz", "X-Request-Id", "x".repeat(200));
        assertTrue(refused.headers().firstValue("X-Request-Id").orElseThrow().matches("[0-9a-f-]{36}"),
                "an id too long to echo safely is replaced");
        HttpResponse<String> error = http.get("/no-such-page", "X-Request-Id", "support-ticket-7");
        assertEquals(404, error.statusCode());
        assertEquals("support-ticket-7", json(error).get("request_id").getAsString());
        HttpResponse<String> badImage = http.upload("/api/v1/predict", "file", new byte[] {(byte) 0xFF, (byte) 0xD8});
        assertEquals(badImage.headers().firstValue("X-Request-Id").orElseThrow(),
                json(badImage).get("request_id").getAsString());
    }

    @Test
    void theAccessLogHasOneLinePerRequestWithItsFields() {
        java.util.logging.Logger access = java.util.logging.Logger.getLogger("dev.mlapp.access");
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                // other tests' servers share the JVM's logger: keep only this request's line
                Object[] parameters = record.getParameters();
                if (parameters != null && parameters.length > 0 && parameters[0] instanceof java.util.Map<?, ?> fields
                        && "access-1".equals(fields.get("request_id"))) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level before = access.getLevel();
        access.setLevel(java.util.logging.Level.INFO);
        access.addHandler(capture);
        try {
            http.get("/whoami", "X-Request-Id", "access-1");
            // the line is written after the response went out
            for (int i = 0; i < 200 && records.isEmpty(); i++) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            access.removeHandler(capture);
            access.setLevel(before);
        }
        assertEquals(1, records.size());
        java.util.Map<?, ?> fields = (java.util.Map<?, ?>) records.get(0).getParameters()[0];
        assertEquals("GET", fields.get("method"));
        assertEquals("/whoami", fields.get("route"));
        assertEquals(200, fields.get("status"));
        assertEquals(POD, fields.get("pod"));
        assertEquals("access-1", fields.get("request_id"));
        assertTrue(((Double) fields.get("latency_ms")) >= 0);
    }

    @Test
    void whoamiNamesThePodInTextAndJson() {
        assertEquals("hello user from " + POD + "\n", http.get("/whoami").body());
        assertEquals(POD, json(http.get("/whoami", "Accept", "application/json")).get("pod").getAsString());
    }

    @Test
    void healthAndReadiness() {
        assertEquals(200, http.get("/healthz").statusCode());
        HttpResponse<String> ready = http.get("/readyz");
        assertEquals(200, ready.statusCode());
        assertEquals("ready", json(ready).get("status").getAsString());
    }

    @Test
    void modelMetadataDescribesTheServedModel() {
        JsonObject model = json(http.get("/api/v1/model"));
        assertEquals("[224,224,3]", model.get("input_shape").toString());
        assertEquals("[11]", model.get("output_shape").toString());
        assertEquals(11, model.getAsJsonArray("labels").size());
        assertEquals("Noodles/Pasta", model.getAsJsonArray("labels").get(6).getAsString());
        assertTrue(model.get("demo").getAsBoolean());
        assertTrue(model.get("load_ms").getAsLong() > 0);
    }

    @Test
    void metricsUseThePrometheusTextFormat() {
        HttpResponse<String> prediction = http.upload("/api/v1/predict", "file", jpeg);
        assertEquals(200, prediction.statusCode(), prediction.body());
        // The server counts a request when its handler returns, a moment after the client has the reply.
        String predictCounted =
                "(?s).*http_requests_total\\{method=\"POST\",route=\"/api/v1/predict\",status=\"200\"} [1-9].*";
        HttpResponse<String> metrics = http.get("/metrics");
        for (int retry = 0; retry < 50 && !metrics.body().matches(predictCounted); retry++) {
            sleepMillis(20);
            metrics = http.get("/metrics");
        }
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String body = metrics.body();
        for (String name : List.of("# TYPE http_requests_total counter", "http_request_duration_seconds_bucket",
                "http_requests_in_flight", "ml_inference_duration_seconds_count", "ml_model_load_seconds",
                "ml_app_build_info", "jvm_memory_used_bytes")) {
            assertTrue(body.contains(name), "missing " + name);
        }
        assertTrue(body.matches(predictCounted), () -> "the prediction is not counted: " + body.lines()
                .filter(line -> line.startsWith("http_requests_total")).toList());
    }

    /** Route labels once came from exchange attributes, which the JDK shares across a context's exchanges. */
    @Test
    void concurrentRequestsAreCountedUnderTheirOwnRoutes() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                calls.add(pool.submit(() -> http.get("/whoami").statusCode()));
                calls.add(pool.submit(() -> http.raw("/api/v1/predict", "image/png",
                        TestImages.picture("png", 32, 32)).statusCode()));
            }
            for (var call : calls) {
                assertEquals(200, call.get());
            }
        } finally {
            pool.shutdown();
        }
        String body = http.get("/metrics").body();
        for (String line : body.lines().filter(l -> l.startsWith("http_requests_total{")).toList()) {
            boolean post = line.contains("method=\"POST\"");
            boolean predictRoute = line.contains("route=\"/predict\"") || line.contains("route=\"/api/v1/predict\"")
                    || line.contains("route=\"unmatched\"");
            assertTrue(!post || predictRoute, "a POST counted under another route: " + line);
            assertTrue(post || !line.contains("route=\"/api/v1/predict\""), "a GET counted under the predict route: "
                    + line);
        }
    }

    @Test
    void theUploadPageIsSelfContained() {
        HttpResponse<String> page = http.get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertFalse(page.body().matches("(?s).*(src|href)=\"https?://.*"), "no CDN: pods often have no internet");
    }

    @Test
    void missingFileFieldIs400() {
        assertError(http.upload("/predict", "image", jpeg), 400, "bad_request");
    }

    @Test
    void corruptAndTruncatedImagesAre400() {
        byte[] truncated = java.util.Arrays.copyOf(jpeg, jpeg.length / 3);
        assertError(http.upload("/api/v1/predict", "file", truncated), 400, "invalid_image");
        byte[] corrupt = jpeg.clone();
        for (int i = 200; i < corrupt.length; i++) {
            corrupt[i] = (byte) (i * 31);
        }
        HttpResponse<String> response = http.upload("/api/v1/predict", "file", corrupt);
        assertTrue(response.statusCode() == 400 || response.statusCode() == 200, response.body());
    }

    @Test
    void bodyOverTheLimitIs413() {
        byte[] big = new byte[(int) (long) MAX_BODY_BYTES.defaultValue() + 1024];
        assertError(http.raw("/api/v1/predict", "image/jpeg", big), 413, "payload_too_large");
    }

    /**
     * A client that writes its whole oversized upload before reading (as curl does) must still read the 413: before,
     * the server closed the socket with the body unread, the kernel reset the connection and the reply was lost.
     */
    @Test
    void clientThatSendsTheWholeOversizedBodyFirstStillReadsThe413() throws Exception {
        String reply = postWholeBodyThenRead("/api/v1/predict", (int) (long) MAX_BODY_BYTES.defaultValue() * 2);
        assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
        assertTrue(reply.contains("payload_too_large"), reply);
        assertTrue(reply.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), reply);
    }

    /** The same for any answer given before the body is read, such as a 404: the drain is the server's, not 413's. */
    @Test
    void clientThatSendsAWholeBodyToAnUnknownPathStillReadsThe404() throws Exception {
        String reply = postWholeBodyThenRead("/no-such-route", 8 * 1024 * 1024);
        assertTrue(reply.startsWith("HTTP/1.1 404"), reply);
        assertTrue(reply.contains("not_found"), reply);
    }

    private String postWholeBodyThenRead(String path, int length) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nConnection: close\r\n"
                    + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < length; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, length - sent));
            }
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void imageDeclaringTooManyPixelsIsRefusedBeforeDecoding() {
        assertError(http.upload("/api/v1/predict", "file", TestImages.pngDeclaring(60_000, 60_000)), 413,
                "image_too_large");
    }

    @Test
    void notAnImageIs415() {
        assertError(http.upload("/api/v1/predict", "file", "hello, not a picture".getBytes(StandardCharsets.UTF_8)),
                415, "unsupported_image");
        assertError(http.raw("/predict", "text/plain", "hi".getBytes(StandardCharsets.UTF_8)), 415,
                "unsupported_media_type");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() {
        assertError(http.get("/nope"), 404, "not_found");
        assertError(http.get("/predictx"), 404, "not_found");
        HttpResponse<String> wrong = http.get("/predict");
        assertError(wrong, 405, "method_not_allowed");
        assertEquals("POST", wrong.headers().firstValue("Allow").orElseThrow());
        assertError(http.method("DELETE", "/healthz"), 405, "method_not_allowed");
    }

    @Test
    void badTopKIs400() {
        assertError(http.upload("/api/v1/predict?k=zero", "file", jpeg), 400, "bad_request");
    }

    @Test
    void thirtyTwoConcurrentRequestsAllGetTheirOwnCorrectAnswer() throws Exception {
        byte[] other = TestImages.picture("png", 120, 90);
        JsonArray expectedA = json(http.upload("/api/v1/predict?k=11", "file", jpeg)).getAsJsonArray("top_k");
        JsonArray expectedB = json(http.upload("/api/v1/predict?k=11", "file", other)).getAsJsonArray("top_k");
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                boolean a = i % 2 == 0;
                results.add(pool.submit(() -> {
                    HttpResponse<String> r = http.upload("/api/v1/predict?k=11", "file", a ? jpeg : other);
                    return r.statusCode() == 200
                            && sameRanking(json(r).getAsJsonArray("top_k"), a ? expectedA : expectedB);
                }));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get());
            }
        }
    }

    /**
     * Same labels in the same order with the same probabilities up to float rounding: a batch of 8 sums a
     * convolution in a different order than a batch of 1, which moves the last bits (about 1e-8).
     */
    private static boolean sameRanking(JsonArray actual, JsonArray expected) {
        if (actual.size() != expected.size()) {
            return false;
        }
        for (int i = 0; i < actual.size(); i++) {
            JsonObject a = actual.get(i).getAsJsonObject();
            JsonObject e = expected.get(i).getAsJsonObject();
            if (!a.get("label").equals(e.get("label"))
                    || Math.abs(a.get("probability").getAsDouble() - e.get("probability").getAsDouble()) > 1e-5) {
                return false;
            }
        }
        return true;
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

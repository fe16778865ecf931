package dev.mlapp.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.OpenInferenceClient.Reply;
import dev.mlapp.testing.OpenInferenceClient;
import dev.mlapp.testing.TestImages;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Open Inference Protocol routes over real HTTP, with a client written from the spec, against the embedded
 * model (224×224×3 in, 11 scores out) and real TensorFlow. The three ways of sending an image — encoded (BYTES),
 * pixels (UINT8) and model input (FP32), in JSON and in binary — must give the model's same answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenInferenceTest {

    private static final String INFER = "/v2/models/demo/infer";
    private MlServer server;
    private OpenInferenceClient oip;
    private final int[] pixels = new int[224 * 224 * 3];
    private byte[] png;

    @BeforeAll
    void start() {
        server = Serving.start(ServeConfig.loopback());
        server.awaitStartup(Duration.ofMinutes(2));
        oip = new OpenInferenceClient(server.port());
        Random random = new Random(16);
        BufferedImage image = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                int at = (y * 224 + x) * 3;
                for (int c = 0; c < 3; c++) {
                    pixels[at + c] = random.nextInt(256);
                }
                image.setRGB(x, y, pixels[at] << 16 | pixels[at + 1] << 8 | pixels[at + 2]);
            }
        }
        png = TestImages.encode(image, "png");
    }

    @AfterAll
    void stop() {
        server.drainAndStop();
    }

    @Test
    void serverMetadataAndHealthFollowTheSpec() {
        Reply metadata = oip.get("/v2");
        assertEquals(200, metadata.status());
        assertEquals("ml-app", metadata.json().get("name").getAsString());
        assertTrue(metadata.json().get("extensions").toString().contains("binary_tensor_data"));
        assertEquals(200, oip.get("/v2/health/live").status());
        Reply ready = oip.get("/v2/health/ready");
        assertEquals(200, ready.status());
        assertTrue(ready.json().get("ready").getAsBoolean());
        Reply modelReady = oip.get("/v2/models/demo/ready");
        assertEquals(200, modelReady.status());
        assertEquals("demo", modelReady.json().get("name").getAsString());
        assertTrue(modelReady.json().get("ready").getAsBoolean());
        assertEquals(200, oip.get("/v2/models/demo/versions/1/ready").status());
    }

    @Test
    void modelMetadataDescribesTheGraphsInputAndOutput() {
        Reply reply = oip.get("/v2/models/demo");
        assertEquals(200, reply.status());
        JsonObject json = reply.json();
        assertEquals("demo", json.get("name").getAsString());
        assertEquals("[\"1\"]", json.get("versions").toString());
        JsonObject input = json.getAsJsonArray("inputs").get(0).getAsJsonObject();
        assertEquals("input", input.get("name").getAsString());
        assertEquals("FP32", input.get("datatype").getAsString());
        assertEquals("[-1,224,224,3]", input.get("shape").toString());
        JsonObject output = json.getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertEquals("output", output.get("name").getAsString());
        assertEquals("[-1,11]", output.get("shape").toString());
        assertEquals(json, oip.get("/v2/models/demo/versions/1").json());
    }

    @Test
    void anEncodedImageGetsTheSameScoresAsApiV1() {
        String request = "{\"id\": \"r-1\", \"inputs\": [{\"name\": \"input\", \"shape\": [1], \"datatype\": \"BYTES\","
                + " \"data\": [\"" + Base64.getEncoder().encodeToString(png) + "\"]}]}";
        Reply reply = oip.infer(INFER, request);
        assertEquals(200, reply.status(), reply.json().toString());
        assertEquals("r-1", reply.json().get("id").getAsString());
        assertEquals("demo", reply.json().get("model_name").getAsString());
        JsonObject output = reply.json().getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertEquals("[1,11]", output.get("shape").toString());
        assertEquals("FP32", output.get("datatype").getAsString());
        float[] scores = reply.floats("output");
        float[] sorted = scores.clone();
        Arrays.sort(sorted);

        JsonObject v1 = JsonParser.parseString(new HttpTestClient(server.port())
                .raw("/api/v1/predict", "image/png", png).body()).getAsJsonObject();
        JsonArray topK = v1.getAsJsonArray("top_k");
        for (int i = 0; i < topK.size(); i++) {
            assertEquals(topK.get(i).getAsJsonObject().get("probability").getAsFloat(), sorted[10 - i], 1e-6f);
        }
    }

    /**
     * Issue #25 item 5: BYTES images were classified one by one, each admitted on its own and run alone, so one
     * request could end half admitted. Now a request's images are admitted together and share a model run, as its
     * FP32 items do; the engine's own histogram counts the runs.
     */
    @Test
    void theImagesOfOneRequestAreAdmittedTogetherAndShareOneModelRun() {
        String image = "\"" + Base64.getEncoder().encodeToString(png) + "\"";
        double[] before = batchSizeCountAndSum();
        Reply reply = oip.infer(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [3], \"datatype\": \"BYTES\","
                + " \"data\": [" + String.join(", ", image, image, image) + "]}]}");
        assertEquals(200, reply.status(), reply.json().toString());
        assertEquals("[3,11]", reply.json().getAsJsonArray("outputs").get(0).getAsJsonObject().get("shape").toString());
        double[] after = batchSizeCountAndSum();
        assertEquals(1, after[0] - before[0], "model runs for one request of three images");
        assertEquals(3, after[1] - before[1], "images in that run");
    }

    @Test
    void aRequestOfMoreItemsThanTheReplicaAdmitsAtOnceIsRefusedAsTooLarge() {
        int items = server.model().orElseThrow().maxItems() + 1;
        String junk = String.join(", ", java.util.Collections.nCopies(items, "\"bm90IGFuIGltYWdl\""));
        Reply reply = oip.infer(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [" + items + "],"
                + " \"datatype\": \"BYTES\", \"data\": [" + junk + "]}]}");
        assertEquals(413, reply.status());
        assertTrue(reply.json().get("error").getAsString().contains("send at most " + (items - 1) + " per request"),
                reply.json().toString());
    }

    /** {@code ml_batch_size}'s count (model runs) and sum (items run), from {@code /metrics}. */
    private double[] batchSizeCountAndSum() {
        double[] countAndSum = new double[2];
        for (String line : new HttpTestClient(server.port()).get("/metrics").body().split("\n")) {
            if (line.startsWith("ml_batch_size_count")) {
                countAndSum[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("ml_batch_size_sum")) {
                countAndSum[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return countAndSum;
    }

    @Test
    void pixelsAndModelInputsGiveTheSameAnswerAsTheEncodedImage() {
        float[] fromImage = oip.inferBinary(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1],"
                + " \"datatype\": \"BYTES\", \"parameters\": {\"binary_data_size\": " + (png.length + 4) + "}}]}",
                OpenInferenceClient.bytesElements(List.of(png))).floats("output");

        String uint8 = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 224, 224, 3], \"datatype\": \"UINT8\","
                + " \"data\": " + Arrays.toString(pixels) + "}]}";
        Reply fromPixels = oip.infer(INFER, uint8);
        assertEquals(200, fromPixels.status(), fromPixels.json().toString());
        assertArrayEquals(fromImage, fromPixels.floats("output"), 1e-6f);

        float[] scaled = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            scaled[i] = pixels[i] / 255f; // the server's default scaling, 0,1
        }
        Reply fromTensor = oip.inferBinary(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 224, 224, 3],"
                + " \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": " + scaled.length * 4 + "}}],"
                + " \"outputs\": [{\"name\": \"output\", \"parameters\": {\"binary_data\": true}}]}",
                OpenInferenceClient.fp32(scaled));
        assertEquals(200, fromTensor.status(), fromTensor.json().toString());
        assertEquals("application/octet-stream", fromTensor.http().headers().firstValue("Content-Type").orElseThrow());
        assertEquals(44, fromTensor.binary().length, "11 little-endian floats after the JSON");
        assertArrayEquals(fromImage, fromTensor.floats("output"), 1e-6f);
    }

    @Test
    void aBatchOfTwoAnswersOneRowEach() {
        float[] two = new float[2 * 224 * 224 * 3];
        Arrays.fill(two, 0, two.length / 2, 0.25f);
        Arrays.fill(two, two.length / 2, two.length, 0.75f);
        Reply reply = oip.inferBinary(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 224, 224, 3],"
                + " \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": " + two.length * 4 + "}}]}",
                OpenInferenceClient.fp32(two));
        assertEquals(200, reply.status(), reply.json().toString());
        float[] rows = reply.floats("output");
        assertEquals(22, rows.length);
        assertFalse(Arrays.equals(Arrays.copyOf(rows, 11), Arrays.copyOfRange(rows, 11, 22)),
                "different inputs, different rows");
    }

    @Test
    void theClassificationExtensionNamesTheTopClasses() {
        Reply reply = oip.infer(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1], \"datatype\": \"BYTES\","
                + " \"data\": [\"" + Base64.getEncoder().encodeToString(png) + "\"]}],"
                + " \"outputs\": [{\"name\": \"output\", \"parameters\": {\"classification\": 3}}]}");
        assertEquals(200, reply.status(), reply.json().toString());
        JsonObject output = reply.json().getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertEquals("BYTES", output.get("datatype").getAsString());
        assertEquals("[1,3]", output.get("shape").toString());
        String best = output.getAsJsonArray("data").get(0).getAsString();
        assertTrue(best.matches("0\\.\\d+:\\d+:[A-Za-z/ ]+"), best);
    }

    @Test
    void errorsUseTheProtocolsShape() {
        assertError(oip.get("/v2/models/other"), 404, "no model named 'other'");
        assertError(oip.get("/v2/models/demo/versions/7"), 404, "not serving version '7'");
        assertError(oip.get(INFER), 405, "use POST");
        assertError(oip.infer(INFER, "{not json"), 400, "not valid JSON");
        assertError(oip.infer(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3],"
                + " \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}"), 400, "[n, 224, 224, 3]");
        assertError(oip.infer(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1],"
                + " \"datatype\": \"INT64\", \"data\": [1]}]}"), 400, "datatype 'INT64' is not accepted");
        assertError(oip.infer(INFER, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1],"
                + " \"datatype\": \"FP32\", \"data\": [1]}]}"), 400, "the model's input is 'input'");
        assertError(oip.infer(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1],"
                + " \"datatype\": \"BYTES\", \"data\": [\"bm90IGFuIGltYWdl\"]}]}"), 415, "");
        assertError(oip.infer(INFER, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1], \"datatype\": \"BYTES\","
                + " \"data\": [\"" + Base64.getEncoder().encodeToString(png) + "\"]}],"
                + " \"outputs\": [{\"name\": \"logits\"}]}"), 400, "unknown output 'logits'");
    }

    @Test
    void metricsNameTheRouteNotTheModel() {
        oip.get("/v2/models/demo");
        String metrics = new HttpTestClient(server.port()).get("/metrics").body();
        assertTrue(metrics.contains("route=\"/v2/models/{name}\""), "v2 routes are labelled by template");
    }

    private static void assertError(Reply reply, int status, String says) {
        assertEquals(status, reply.status(), reply.json().toString());
        assertEquals(1, reply.json().size(), "only {\"error\": ...}: " + reply.json());
        assertTrue(reply.json().get("error").getAsString().contains(says), reply.json().toString());
    }
}

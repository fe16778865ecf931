package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.MODEL;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A user's Keras file served over HTTP, whatever its channel order: the model's own input shape drives preprocessing. */
class ImportedModelServingTest {

    @ParameterizedTest
    @ValueSource(strings = {"nested_trainable_tfkeras2_h5", "channels_first_flatten_tfkeras2_h5",
        "channels_first_bn_keras3_keras"})
    void servesTheFixtureModel(String fixture) throws Exception {
        Path model = Path.of("src/test/resources/keras-fixtures", fixture).toFile().listFiles(
                (dir, name) -> name.startsWith("model."))[0].toPath();
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, model).with(POD_NAME, "keras-pod"));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            HttpTestClient http = new HttpTestClient(server.port());
            HttpResponse<String> response = http.upload("/api/v1/predict", "file", TestImages.picture("png", 90, 60));
            assertEquals(200, response.statusCode(), response.body());
            JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
            assertFalse(body.getAsJsonObject("model").get("demo").getAsBoolean());
            JsonObject info = JsonParser.parseString(http.get("/api/v1/model").body()).getAsJsonObject();
            assertEquals(fixture.contains("keras3_keras") ? "keras-zip" : "keras-h5", info.get("format").getAsString());
            String text = http.upload("/predict", "file", TestImages.picture("png", 90, 60)).body();
            assertTrue(text.matches("(?s).+ \\(\\d\\.\\d\\d\\), Inference Time : \\d+\\.\\d{4} seconds\\n"),
                    "a real model's answer is the course's line, with no demo note: " + text);
        } finally {
            server.drainAndStop();
        }
    }
}

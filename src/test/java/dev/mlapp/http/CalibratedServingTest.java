package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.CALIBRATION_BUDGET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.TestImages;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A server that calibrates at warm-up says what it chose in /api/v1/model, and serves with it. */
class CalibratedServingTest {

    @Test
    void theModelRouteReportsTheCalibratedBatchSizeAndQueue() {
        EngineOptions engine = EngineOptions.forCores(2).withBatching(4, 2000);
        MlServer server = Serving.start(ServeConfig.loopback().withEngine(engine)
                .with(CALIBRATION_BUDGET, Duration.ofMillis(500)));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            HttpTestClient http = new HttpTestClient(server.port());
            HttpResponse<String> model = http.get("/api/v1/model");
            assertEquals(200, model.statusCode(), model.body());
            JsonObject calibration = JsonParser.parseString(model.body()).getAsJsonObject()
                    .getAsJsonObject("calibration");
            int batch = calibration.get("max_batch_size").getAsInt();
            assertTrue(batch >= 1 && batch <= 4, "within the configured maximum: " + calibration);
            assertTrue(calibration.get("queue_capacity").getAsInt() <= engine.queueCapacity(), calibration.toString());
            assertEquals(1, calibration.getAsJsonArray("measured").get(0).getAsJsonObject().get("batch_size")
                    .getAsInt(), "batch 1 is always measured: " + calibration);

            HttpResponse<String> predict = http.upload("/api/v1/predict", "file", TestImages.picture("jpg", 64, 48));
            assertEquals(200, predict.statusCode(), predict.body());
        } finally {
            server.drainAndStop();
        }
    }
}

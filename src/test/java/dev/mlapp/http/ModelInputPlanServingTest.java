package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.keras.fixtures.FixtureGenerator;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.SystemTools;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Served with no flags, a model's own structure picks its pixel scaling and the labels file beside it names its
 * classes: a model starting with Rescaling(1/255) and the same model without it answer alike on real photos.
 */
class ModelInputPlanServingTest {

    @TempDir
    Path dir;

    @Test
    void rescalingInsideTheModelGetsRawPixelsAndLabelsComeFromBesideIt() throws Exception {
        List<Path> photos;
        try (Stream<Path> files = Files.list(SystemTools.requireShared("images"))) {
            photos = files.filter(f -> f.toString().matches(".*\\.(jpe?g|png)$")).sorted().toList();
        }
        assertTrue(!photos.isEmpty(), "photos in ../shared/images");
        Path withRescaling = dir.resolve("inside/model.keras");
        Path without = dir.resolve("plain/model.keras");
        FixtureGenerator.writeRescalingPair(withRescaling, without);
        Files.writeString(dir.resolve("inside/labels.txt"), "0 Cat\n1 Dog\n2 Bird\n");

        List<JsonObject> inside = predictions(withRescaling, photos, "0,255", List.of("Cat", "Dog", "Bird"));
        List<JsonObject> plain = predictions(without, photos, "0,1", List.of("class_0", "class_1", "class_2"));
        for (int i = 0; i < photos.size(); i++) {
            JsonArray a = inside.get(i).getAsJsonArray("top_k");
            JsonArray b = plain.get(i).getAsJsonArray("top_k");
            assertEquals(b.get(0).getAsJsonObject().get("label").getAsString().replace("class_", ""),
                    Integer.toString(List.of("Cat", "Dog", "Bird").indexOf(
                            a.get(0).getAsJsonObject().get("label").getAsString())), photos.get(i) + ": same top-1");
            assertEquals(b.get(0).getAsJsonObject().get("probability").getAsDouble(),
                    a.get(0).getAsJsonObject().get("probability").getAsDouble(), 1e-5, photos.get(i) + ": same score");
        }
    }

    @Test
    void aLabelsFileBesideTheModelWithAnotherCountStopsTheStart() throws Exception {
        Path model = dir.resolve("m/model.keras");
        FixtureGenerator.writeRescalingPair(model, dir.resolve("unused/model.keras"));
        Files.writeString(dir.resolve("m/class_names.txt"), "cat\ndog\n");
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, model));
        try {
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> server.awaitStartup(Duration.ofMinutes(2)));
            assertTrue(e.getMessage().contains("class_names.txt") && e.getMessage().contains("has 2 labels but the "
                    + "model has 3 outputs"), e.getMessage());
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void aTeachableMachineExportIsServedWithNoFlags() throws Exception {
        // Teachable Machine's download: keras_model.h5 beside labels.txt with numbered lines
        JsonObject info = servedTeachableMachineExport("0 Cat\n1 Dog\n");
        JsonObject scaling = info.getAsJsonObject("input_scaling");
        assertEquals("-1,1", scaling.get("range").getAsString(), info.toString());
        assertTrue(scaling.get("reason").getAsString().contains("Teachable Machine"), scaling.toString());
        assertEquals("[\"Cat\",\"Dog\"]", info.getAsJsonArray("labels").toString());
    }

    @Test
    void aTeachableMachineExportWithoutItsLabelsFileIsStillScaledAsTeachableMachineDoes() throws Exception {
        // the same download with labels.txt lost: the model's own structure says what it is
        JsonObject info = servedTeachableMachineExport(null);
        JsonObject scaling = info.getAsJsonObject("input_scaling");
        assertEquals("-1,1", scaling.get("range").getAsString(), info.toString());
        assertTrue(scaling.get("reason").getAsString().startsWith("a Teachable Machine export, by its structure"),
                scaling.toString());
        assertEquals("[\"class_0\",\"class_1\"]", info.getAsJsonArray("labels").toString());
    }

    /** {@code /api/v1/model} of a real Teachable Machine export served with no flags, with this labels.txt or none. */
    private JsonObject servedTeachableMachineExport(String labelsTxt) throws Exception {
        Path export = Files.createDirectories(dir.resolve("converted_keras"));
        Files.createSymbolicLink(export.resolve("keras_model.h5"),
                SystemTools.requireShared("keras-realworld/tm_catdog_mobilenet_h5/model.h5"));
        if (labelsTxt != null) {
            Files.writeString(export.resolve("labels.txt"), labelsTxt);
        }
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, export.resolve("keras_model.h5")));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            HttpTestClient http = new HttpTestClient(server.port());
            return JsonParser.parseString(http.get("/api/v1/model").body()).getAsJsonObject();
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void anRgbaModelGetsPhotosWithOpaqueAlpha() throws Exception {
        Path model = dir.resolve("rgba/model.keras");
        FixtureGenerator.writeRgbaModel(model);
        Path photo = Files.list(SystemTools.requireShared("images")).filter(f -> f.toString().endsWith(".jpg"))
                .findFirst().orElseThrow();
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, model));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            HttpTestClient http = new HttpTestClient(server.port());
            HttpResponse<String> response = http.upload("/api/v1/predict", "file", Files.readAllBytes(photo));
            assertEquals(200, response.statusCode(), response.body());
            JsonObject info = JsonParser.parseString(http.get("/api/v1/model").body()).getAsJsonObject();
            assertEquals("[16,16,4]", info.getAsJsonArray("input_shape").toString());
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void aModelWhoseInputIsNotAnImageIsRefusedAtStartWithASentence() {
        Path tabular = SystemTools.requireShared("keras-realworld/churn_dense_ankit_h5/model.h5");
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, tabular));
        try {
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> server.awaitStartup(Duration.ofMinutes(2)));
            assertTrue(e.getMessage().contains("input [12] (batch excluded) is not an image")
                    && e.getMessage().contains("infer"), e.getMessage());
        } finally {
            server.drainAndStop();
        }
    }

    private static List<JsonObject> predictions(Path model, List<Path> photos, String scaling, List<String> labels)
            throws IOException {
        MlServer server = Serving.start(ServeConfig.loopback().with(MODEL, model));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            HttpTestClient http = new HttpTestClient(server.port());
            JsonObject info = JsonParser.parseString(http.get("/api/v1/model").body()).getAsJsonObject();
            assertEquals(scaling, info.getAsJsonObject("input_scaling").get("range").getAsString(), info.toString());
            List<String> served = new ArrayList<>();
            info.getAsJsonArray("labels").forEach(l -> served.add(l.getAsString()));
            assertEquals(labels, served);
            List<JsonObject> out = new ArrayList<>();
            for (Path photo : photos) {
                HttpResponse<String> response = http.upload("/api/v1/predict", "file", Files.readAllBytes(photo));
                assertEquals(200, response.statusCode(), response.body());
                out.add(JsonParser.parseString(response.body()).getAsJsonObject());
            }
            return out;
        } finally {
            server.drainAndStop();
        }
    }
}

package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    @Test
    void quickBenchPrintsATableThenOneJsonObjectLast() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        ExitStatus status;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            status = Main.run(List.of("bench", "--quick", "--batch-sizes", "1,2", "--concurrency", "1,4",
                    "--duration", "300ms", "--rss-requests", "20", "--overload-duration", "500ms",
                    "--preprocess-images", "does-not-exist", "--cold-starts", "1", "--calibration-budget", "200ms",
                    "--compare-routes", "5"),
                    Map.of());
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertEquals(ExitStatus.OK, status, output);
        assertTrue(output.contains("(1) Raw in-process model throughput"), output);
        String[] lines = output.strip().split("\n");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();

        JsonObject raw = json.getAsJsonObject("raw");
        assertEquals(2, raw.getAsJsonArray("by_batch_size").size());
        for (var row : raw.getAsJsonArray("by_batch_size")) {
            // (batch1_items_per_s is the lone-request run, one feeder: with two workers it can beat a row by noise)
            assertTrue(raw.get("best_items_per_s").getAsDouble()
                    >= row.getAsJsonObject().get("items_per_s").getAsDouble(), raw.toString());
        }
        assertTrue(raw.get("batch1_ms").getAsDouble() > 0, raw.toString());
        assertEquals(2, json.getAsJsonArray("http").size());
        assertTrue(raw.get("best_items_per_s_after_http").getAsDouble() > 0, raw.toString());
        for (var row : json.getAsJsonArray("http")) {
            assertTrue(row.getAsJsonObject().get("ratio_to_raw_mean").getAsDouble() > 0, row.toString());
        }
        double ceiling = json.get("cpu_ratio_ceiling").getAsDouble();
        assertTrue(ceiling > 0 && ceiling < 2, "raw CPU per item over HTTP CPU per request: " + ceiling);
        assertTrue(json.get("http_best_client_cpu_ms_per_request").getAsDouble() > 0, "the client's CPU is counted");
        assertTrue(json.get("cpu_ratio_ceiling_without_client").getAsDouble() > ceiling, json.toString());
        JsonObject c1 = json.getAsJsonArray("http").get(0).getAsJsonObject();
        assertEquals(1, c1.get("concurrency").getAsInt());
        assertTrue(c1.get("requests").getAsLong() > 0, "c=1 got answers");
        assertTrue(c1.get("p50_ms").getAsDouble() > 0 && c1.get("p99_ms").getAsDouble() >= c1.get("p50_ms").getAsDouble());
        assertTrue(c1.get("ratio_to_raw_best").getAsDouble() > 0);
        assertEquals(0, c1.get("non_200").getAsLong(), "one client never overloads the server");
        assertTrue(json.getAsJsonObject("rss").get("after_mb").getAsDouble() > 0);
        JsonObject overload = json.getAsJsonObject("overload");
        assertEquals(0, overload.get("server_errors_other_than_503").getAsLong());
        assertTrue(overload.get("admitted").getAsLong() + overload.get("rejected").getAsLong() > 0);

        // The route comparison: the embedded model served as "demo", each route answered 200 every time (any
        // other answer fails the bench), the FP32 tensor shaped as the served model's input.
        JsonObject routes = json.getAsJsonObject("route_comparison");
        assertEquals(List.of("v1_predict_raw", "v2_infer_bytes_binary", "v2_infer_bytes_json",
                "v2_infer_fp32_binary"), List.copyOf(routes.keySet()), routes.toString());
        for (var route : routes.entrySet()) {
            JsonObject r = route.getValue().getAsJsonObject();
            assertEquals(5, r.get("rounds").getAsLong(), route.toString());
            assertTrue(r.get("p50_ms").getAsDouble() > 0 && r.get("p90_ms").getAsDouble() >= r.get("p50_ms")
                    .getAsDouble() && r.get("mean_ms").getAsDouble() > 0, route.toString());
        }
        assertTrue(routes.getAsJsonObject("v2_infer_fp32_binary").get("route").getAsString()
                .contains("FP32 1×224×224×3"), routes.toString());

        // Second round: a real cold start of a new JVM, the server's own CPU apart from the model's, the floor.
        assertTrue(json.get("start_to_ready_ms").getAsDouble() > 0, json.toString());
        JsonObject start = json.getAsJsonArray("cold_starts").get(0).getAsJsonObject();
        assertEquals(10, start.getAsJsonArray("first_requests_ms").size(), start.toString());
        assertTrue(start.get("steady_p50_ms").getAsDouble() > 0, start.toString());
        assertTrue(json.get("decode_resize_floor_cpu_ms").getAsDouble() > 0, json.toString());
        int batch = json.get("calibrated_max_batch_size").getAsInt();
        assertTrue(batch >= 1 && batch <= 8, "calibrated within the configured maximum: " + batch);
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            assertTrue(json.get("server_cpu_ms_per_request_outside_model").getAsDouble() > 0, json.toString());
            JsonObject byThread = c1.getAsJsonObject("cpu_ms_per_request_by_thread");
            // Not "model > 0": TensorFlow's pools are process-wide and take the name of the thread that made the
            // first session, which in a full test run is another test's thread (bench's own JVM names them)
            double total = byThread.entrySet().stream().mapToDouble(e -> e.getValue().getAsDouble()).sum();
            assertTrue(total > 0, "the request threads' CPU is counted by group: " + byThread);
            double httpOnly = c1.get("server_cpu_ms_per_request_outside_decode_and_model").getAsDouble();
            assertTrue(httpOnly >= 0 && httpOnly <= c1.get("server_cpu_ms_per_request_outside_model").getAsDouble(),
                    "HTTP and batching are a part of the server's CPU outside the model: " + c1);
        }
    }

    /** The photo phase alone: each photo in both modes, the JPEG modes apart only where a photo is large. */
    @Test
    void photosOnlyTimesEachPhotoInBothModesAndComparesTheirPredictions() {
        java.nio.file.Path model = java.nio.file.Path.of("../shared/models/mobilenetv2_food11_demo/model.h5");
        List<String> args = new java.util.ArrayList<>(List.of("bench", "--photos-only", "--quick",
                "--preprocess-images", "does-not-exist"));
        if (java.nio.file.Files.isRegularFile(model)) {
            args.addAll(List.of("--photo-models", model.toString()));
        } else {
            System.out.println("photo agreement not checked: " + model + " is absent");
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        ExitStatus status;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            status = Main.run(args, Map.of());
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertEquals(ExitStatus.OK, status, output);
        String[] lines = output.strip().split("\n");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        var photos = json.getAsJsonArray("photos");
        assertEquals(3, photos.size(), json.toString());
        for (var row : photos) {
            JsonObject p = row.getAsJsonObject();
            assertTrue(p.get("exact_cpu_ms").getAsDouble() > 0 && p.get("fast_cpu_ms").getAsDouble() > 0, p.toString());
            double delta = p.get("mean_abs_difference").getAsDouble();
            if (p.get("kind").getAsString().contains("JPEG")) {
                // 1600×1200 decodes at 1/2 in fast mode: near the exact tensor, not equal to it
                assertTrue(delta > 0 && delta < 0.01, p.toString());
                assertTrue(p.get("fast_decode_cpu_ms").getAsDouble() > 0, p.toString());
            } else {
                assertEquals(0, delta, "the modes differ only for JPEGs: " + p);
            }
        }
        if (java.nio.file.Files.isRegularFile(model)) {
            JsonObject agreement = json.getAsJsonArray("photo_mode_agreement").get(0).getAsJsonObject();
            assertEquals(2, agreement.get("photos").getAsInt(), agreement.toString());
            assertTrue(agreement.get("top5_overlap").getAsDouble() > 0, agreement.toString());
        }
    }
}

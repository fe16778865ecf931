package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Levels, formats and the access log, as {@code LOG_LEVEL}, {@code LOG_FORMAT} and {@code ACCESS_LOG} set them. */
class LoggingTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void restoreTheJdksDefaults() throws IOException {
        LogManager.getLogManager().readConfiguration();
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private void configure(Map<String, String> env) {
        Logging.configure(env, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    /** What a VGG16 start printed: a jHDF line per dataset, its WARNs, any library's INFO. */
    private static void libraryChatter() {
        Logger.getLogger("io.jhdf.dataset.DatasetBase").info("Getting flat data for [/model_weights/x]...");
        Logger.getLogger("io.jhdf.object.message.Message").warning("buffer still has 1 bytes remaining");
        Logger.getLogger("io.prometheus.metrics").info("some library detail");
    }

    @Test
    void byDefaultOnlyMlAppsOwnLinesAndLibraryWarningsShow() {
        configure(Map.of());
        libraryChatter();
        Logger.getLogger("io.prometheus.metrics").warning("a library problem");
        Logger.getLogger("dev.mlapp.http.MlServer").info("ready");
        Logger.getLogger("dev.mlapp.http.MlServer").fine("detail");
        Logger.getLogger(Logging.ACCESS).info("access");
        List<String> lines = lines();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN io\\.prometheus\\.metrics:"
                + " a library problem"), lines.get(0));
        assertTrue(lines.get(1).endsWith(" INFO ready"), lines.get(1));
    }

    @Test
    void debugShowsEverything() {
        configure(Map.of("LOG_LEVEL", "debug"));
        libraryChatter();
        Logger.getLogger("dev.mlapp.http.MlServer").fine("detail");
        assertEquals(4, lines().size(), String.join("\n", lines()));
    }

    @Test
    void jsonLinesCarryTheAccessFields() {
        configure(Map.of("LOG_FORMAT", "json", "ACCESS_LOG", "1"));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", "POST");
        fields.put("route", "/predict");
        fields.put("status", 200);
        fields.put("latency_ms", 12.5);
        fields.put("pod", "ml-app-1");
        fields.put("request_id", "r-1");
        Logger.getLogger(Logging.ACCESS).log(Level.INFO, "access", new Object[] {fields});
        JsonObject line = JsonParser.parseString(lines().get(0)).getAsJsonObject();
        assertEquals("INFO", line.get("level").getAsString());
        assertEquals("/predict", line.get("route").getAsString());
        assertEquals(200, line.get("status").getAsInt());
        assertEquals("ml-app-1", line.get("pod").getAsString());
        assertEquals("r-1", line.get("request_id").getAsString());
        assertTrue(line.get("time").getAsString().endsWith("Z"));
    }

    @Test
    void aSampledAccessLogKeepsEveryServerError() {
        configure(Map.of("ACCESS_LOG", "0.000001"));
        Logger access = Logger.getLogger(Logging.ACCESS);
        for (int status : new int[] {200, 200, 200, 503}) {
            access.log(Level.INFO, "access", new Object[] {Map.of("status", status)});
        }
        assertEquals(List.of("status=503"), lines().stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList());
    }

    @Test
    void wrongValuesAreUsageErrors() {
        assertThrows(UsageException.class, () -> configure(Map.of("LOG_LEVEL", "verbose")));
        assertThrows(UsageException.class, () -> configure(Map.of("LOG_FORMAT", "xml")));
        assertThrows(UsageException.class, () -> configure(Map.of("ACCESS_LOG", "2")));
    }
}

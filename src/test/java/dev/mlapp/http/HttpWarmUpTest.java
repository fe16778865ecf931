package dev.mlapp.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.HttpTestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The server sends the sample through its own listener before {@code /readyz} turns green, and those requests
 * stay out of what operators count: a fresh replica's metrics show only their clients' requests.
 */
class HttpWarmUpTest {

    private static final Pattern WARM_UP_LINE = Pattern.compile("HTTP warm-up: (\\d+) requests");

    @Test
    void warmsUpTheHttpPathBeforeReadyAndCountsNoneOfIt() {
        Logger serverLog = Logger.getLogger(MlServer.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = serverLog.getLevel();
        serverLog.setLevel(Level.FINE);
        capture.setLevel(Level.FINE);
        serverLog.addHandler(capture);
        MlServer server = MlServer.start(ServerConfig.builder().podName("warm-up-test").build());
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            assertTrue(server.isReady(), "ready once start-up, warm-up included, is over");
            int sent = lines.stream().map(WARM_UP_LINE::matcher).filter(Matcher::find)
                    .mapToInt(m -> Integer.parseInt(m.group(1))).findFirst()
                    .orElseThrow(() -> new AssertionError("no warm-up line in " + lines));
            assertEquals(2, sent, "a raw upload and a multipart form");

            HttpTestClient http = new HttpTestClient(server.port());
            String before = http.get("/metrics").body();
            assertFalse(before.contains("route=\"/api/v1/predict\""), "warm-up requests counted: " + requests(before));
            assertFalse(before.contains("route=\"/predict\""), "warm-up requests counted: " + requests(before));
            assertFalse(before.contains("ml_predictions_total{"), "warm-up predictions counted");

            assertEquals(200, http.get("/test").statusCode());
            String after = http.get("/metrics").body();
            for (int retry = 0; retry < 50 && !after.contains("route=\"/test\""); retry++) {
                sleepMillis(20); // counted when the handler returns, a moment after the reply
                after = http.get("/metrics").body();
            }
            assertTrue(after.contains("http_requests_total{method=\"GET\",route=\"/test\",status=\"200\"} 1.0")
                    || after.contains("http_requests_total{method=\"GET\",route=\"/test\",status=\"200\"} 1"),
                    "a client's request is counted, once: " + requests(after));
        } finally {
            server.drainAndStop();
            serverLog.removeHandler(capture);
            serverLog.setLevel(level);
        }
    }

    private static List<String> requests(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("http_requests_total{")).toList();
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.DRAIN_TIMEOUT;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static dev.mlapp.serve.ServeSettings.SHUTDOWN_DELAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.TestImages;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** SIGTERM's code path: requests already in flight when draining starts all finish; nothing is dropped. */
class GracefulShutdownTest {

    @Test
    void drainingFinishesEveryInFlightRequestThenRefusesConnections() throws Exception {
        MlServer server = Serving.start(ServeConfig.loopback().with(POD_NAME, "draining-pod")
                .with(SHUTDOWN_DELAY, Duration.ofMillis(300)).with(DRAIN_TIMEOUT, Duration.ofSeconds(20)));
        server.awaitStartup(Duration.ofMinutes(2));
        HttpTestClient http = new HttpTestClient(server.port());
        byte[] image = TestImages.picture("jpg", 1600, 1200);
        int requests = 24;
        // The first scrape waits for the JVM's metrics to register (AppMetrics), longer than these uploads take.
        assertEquals(0, http.inFlightRequests());
        try (ExecutorService pool = Executors.newFixedThreadPool(requests)) {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                responses.add(pool.submit(() -> http.upload("/api/v1/predict", "file", image)));
            }
            long waitUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int inFlight;
            while ((inFlight = http.inFlightRequests()) < requests / 2 && System.nanoTime() < waitUntil) {
                Thread.sleep(2);
            }
            assertTrue(inFlight >= requests / 2, inFlight + " requests in flight; at least half should be");

            // Its own thread: the pool's threads are all busy with the uploads.
            Thread drained = Thread.ofPlatform().name("test-drain").start(server::drainAndStop);
            long redBy = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.isReady() && System.nanoTime() < redBy) {
                Thread.sleep(5);
            }
            HttpResponse<String> readiness = http.get("/readyz");
            assertEquals(503, readiness.statusCode(), "readiness turns red first");
            assertTrue(readiness.body().contains("draining"), readiness.body());

            for (Future<HttpResponse<String>> response : responses) {
                assertEquals(200, response.get().statusCode(), response.get().body());
            }
            drained.join();
        }
        assertThrows(RuntimeException.class, () -> http.get("/healthz"), "the listener is closed after draining");
    }
}

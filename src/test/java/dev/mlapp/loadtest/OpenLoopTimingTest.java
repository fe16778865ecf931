package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server that answers at once except for one request, which it holds for a second while everything queues
 * behind it. A closed-loop tester sees one slow request (its single worker simply waits: coordinated omission);
 * an open-loop tester must show every request that was due during the stall as late.
 * The stalling server is test-only because the real one has no way to stall on purpose.
 */
class OpenLoopTimingTest {

    private static final long STALL_MS = 1000;
    private static final int STALLED_REQUEST = 10;
    private static final long MS = 1_000_000L;

    private HttpServer server;
    private ExecutorService executor;
    private final AtomicInteger served = new AtomicInteger();

    @BeforeEach
    void startStallingServer() throws IOException {
        // The JDK reads its server limits once per process, at the first server: set the project's first, so
        // that this plain HttpServer, if it runs before the MlServer tests in this JVM, does not freeze the defaults.
        dev.mlapp.http.ConnectionTimeouts.applyDefaults();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        executor = Executors.newSingleThreadExecutor();
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            if (served.incrementAndGet() == STALLED_REQUEST) {
                try {
                    Thread.sleep(STALL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.getResponseHeaders().set("X-Pod-Name", "stall");
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes());
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private LoadPlan plan(double rate) {
        return new LoadPlan("127.0.0.1", server.getAddress().getPort(), RequestTemplate.get("/"), 1,
                Duration.ofMillis(2500), 0, rate, true, Duration.ofSeconds(5));
    }

    @Test
    void openLoopShowsEveryRequestThatWasDueDuringTheStall() throws InterruptedException {
        LoadRun run = LoadGenerator.run(plan(100));
        long late = run.samples().stream().filter(s -> s.latencyNanos() > 500 * MS).count();
        LoadSummary summary = LoadSummary.of(run, java.util.List.of());
        // ~100 requests were due during the 1 s stall; the first ~50 of them waited more than half a second
        assertTrue(late >= 30, "requests later than 500 ms: " + late);
        assertTrue(summary.latency().max() >= STALL_MS * 0.9, "max " + summary.latency().max());
        assertTrue(summary.latency().p90() >= 200, "p90 " + summary.latency().p90());
        assertEquals(summary.requests(), summary.successes());
        // the schedule, not the server, set the pace: about rate × duration requests
        assertTrue(summary.requests() >= 230 && summary.requests() <= 250, "requests " + summary.requests());
    }

    @Test
    void closedLoopHidesTheStallInOneRequest() throws InterruptedException {
        LoadRun run = LoadGenerator.run(plan(0));
        long late = run.samples().stream().filter(s -> s.latencyNanos() > 500 * MS).count();
        // a closed loop sends nothing while it waits, so only the stalled request looks slow (allowing two more
        // for a busy test machine; the open loop shows dozens)
        assertTrue(late >= 1 && late <= 3, "requests later than 500 ms: " + late);
    }
}

package dev.mlapp.http;

import static dev.mlapp.testing.RawHttp.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.RawHttp;
import dev.mlapp.testing.ServerProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Slow clients against the real jar started with short limits ({@code --request-timeout 2s --idle-timeout 3s
 * --max-connections 64}): headers or body dribbled a byte at a time (slowloris), connections that send nothing,
 * idle keep-alive connections. Each is cut off within its timeout plus the JDK server's one-second timer tick, the
 * server keeps answering others meanwhile, slow clients cost no platform threads, and the connection limit
 * holds. A separate process because the JDK reads these limits from system properties once per process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsIT {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    private static final int MAX_CONNECTIONS = 64;
    /** Timeout + the JDK's timer tick (1 s, set by ConnectionTimeouts) + slack for a machine shared with others. */
    private static final Duration CUT_OFF_WITHIN = Duration.ofSeconds(2 + 1 + 3);

    private ServerProcess server;
    private HttpTestClient http;

    @BeforeAll
    void start() {
        server = ServerProcess.start(List.of("-Xmx512m"), "--pod-name", "slow-it",
                "--request-timeout", REQUEST_TIMEOUT.toSeconds() + "s",
                "--idle-timeout", IDLE_TIMEOUT.toSeconds() + "s",
                "--max-connections", Integer.toString(MAX_CONNECTIONS));
        http = new HttpTestClient(server.port());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void headersDribbledOneByteAtATimeAreCutOffAtTheRequestTimeout() {
        long seconds = secondsUntilClosed(raw -> dribble(raw, "GET /readyz HTTP/1.1\r\nHost: x\r\n"
                + "X-Slow: " + "a".repeat(1000) + "\r\n\r\n"));
        assertTrue(seconds <= CUT_OFF_WITHIN.toSeconds(), "cut off after " + seconds + " s");
        assertTrue(seconds >= REQUEST_TIMEOUT.toSeconds() - 1, "not before the timeout: " + seconds + " s");
    }

    @Test
    void aBodyDribbledOneByteAtATimeIsCutOffAtTheRequestTimeout() {
        long seconds = secondsUntilClosed(raw -> {
            raw.send(ascii("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                    + "Content-Length: 100000\r\n\r\n"));
            dribble(raw, "\u00ff\u00d8\u00ff" + "x".repeat(2000));
        });
        assertTrue(seconds <= CUT_OFF_WITHIN.toSeconds(), "cut off after " + seconds + " s");
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() {
        long seconds = secondsUntilClosed(raw -> { });
        assertTrue(seconds <= CUT_OFF_WITHIN.toSeconds(), "closed after " + seconds + " s");
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAtTheIdleTimeout() {
        long seconds = secondsUntilClosed(raw -> {
            raw.send(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals(200, raw.read().status());
        });
        assertTrue(seconds <= IDLE_TIMEOUT.plus(CUT_OFF_WITHIN).minus(REQUEST_TIMEOUT).toSeconds(),
                "closed after " + seconds + " s");
        assertTrue(seconds >= IDLE_TIMEOUT.toSeconds() - 1, "kept for the idle timeout: " + seconds + " s");
    }

    @Test
    void manySlowClientsHoldNoThreadsAndOthersAreServedMeanwhile() throws Exception {
        long threadsBefore = server.procStatus("Threads");
        int slowClients = MAX_CONNECTIONS / 2;
        List<CompletableFuture<Void>> slow = new ArrayList<>();
        for (int i = 0; i < slowClients; i++) {
            slow.add(CompletableFuture.runAsync(() -> secondsUntilClosed(raw ->
                    dribble(raw, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n"
                            + "Content-Type: image/png\r\n\r\n" + "x".repeat(5000))), Thread::startVirtualThread));
        }
        Thread.sleep(500);
        long threadsDuring = server.procStatus("Threads");
        int served = 0;
        long worst = 0;
        long until = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        while (System.nanoTime() < until) {
            long t0 = System.nanoTime();
            HttpResponse<String> response = http.get("/test");
            worst = Math.max(worst, System.nanoTime() - t0);
            assertEquals(200, response.statusCode(), response.body());
            served++;
        }
        CompletableFuture.allOf(slow.toArray(CompletableFuture[]::new)).get();
        assertTrue(served >= 3, "predictions kept coming while " + slowClients + " slow clients were connected: "
                + served);
        assertTrue(worst < Duration.ofSeconds(2).toNanos(), "slowest prediction meanwhile " + worst / 1_000_000
                + " ms");
        // Requests run on virtual threads: slow clients must not add platform threads (a few may start for pools).
        assertTrue(threadsDuring - threadsBefore < 8, "threads " + threadsBefore + " -> " + threadsDuring);
        assertEquals(200, http.get("/readyz").statusCode());
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndServiceResumesAfterTheTimeout() throws Exception {
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS + 8; i++) {
                held.add(new RawHttp(server.port(), Duration.ofMillis(300)));
            }
            Thread.sleep(300);
            int refused = 0;
            for (RawHttp connection : held.subList(MAX_CONNECTIONS - 4, held.size())) {
                if (connection.closedByServer()) {
                    refused++;
                }
            }
            // Other tests' or the client's own connections may also count against the limit, hence ">=".
            assertTrue(refused >= 8, "connections past " + MAX_CONNECTIONS + " are closed at accept: " + refused);
        } finally {
            held.forEach(RawHttp::close);
        }
        assertEquals(200, firstStatusOnANewConnection(CUT_OFF_WITHIN),
                "new connections work once the server has seen the held ones close");
    }

    /**
     * The server frees a connection's slot only when its selector sees the client's close, a moment after our
     * {@code close()} returns (seconds on a loaded machine); until then a new connection is still past the limit and
     * is closed at accept. So ask on fresh connections until one is answered, or the bound runs out.
     */
    private int firstStatusOnANewConnection(Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        int status;
        do {
            try {
                status = RawHttp.exchange(server.port(),
                        ascii("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status();
            } catch (java.io.UncheckedIOException closedAtAccept) {
                status = -1;
            }
            if (status == 200) {
                return status;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < until);
        return status;
    }

    private long secondsUntilClosed(java.util.function.Consumer<RawHttp> behave) {
        try (RawHttp raw = new RawHttp(server.port(), CUT_OFF_WITHIN.plusSeconds(5))) {
            long start = System.nanoTime();
            behave.accept(raw);
            assertTrue(raw.closedByServer(), "the server closed the connection");
            return Math.round((System.nanoTime() - start) / 1e9);
        }
    }

    /** Sends one byte every 100 ms until the text is out or the server hangs up. */
    private static void dribble(RawHttp raw, String text) {
        for (byte b : ascii(text)) {
            if (!raw.trySend(new byte[] {b})) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

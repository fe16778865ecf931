package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.HELLO;
import static dev.mlapp.serve.ServeSettings.MAX_REQUESTS_PER_CONNECTION;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --max-requests-per-connection}: keep-alive clients are made to reconnect, so an L4 balancer re-spreads them. */
class ConnectionLimitTest {

    @Test
    void closesTheConnectionAfterTheConfiguredNumberOfRequests() throws Exception {
        MlServer server = Serving.start(ServeConfig.loopback().with(HELLO, true).with(POD_NAME, "limit-pod")
                .with(MAX_REQUESTS_PER_CONNECTION, 3));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            List<Boolean> closeHeaders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                out.write("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                closeHeaders.add(readResponse(in));
            }
            assertEquals(List.of(false, false, true), closeHeaders);
            assertEquals(-1, in.read(), "the server closed the connection after the third response");
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void keepsConnectionsOpenByDefault() throws Exception {
        MlServer server = Serving.start(ServeConfig.loopback().with(HELLO, true));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 20; i++) {
                socket.getOutputStream().write("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertFalse(readResponse(in));
            }
        } finally {
            server.drainAndStop();
        }
    }

    /** Reads one response; returns whether it said {@code Connection: close}. */
    private static boolean readResponse(BufferedReader in) throws Exception {
        String status = in.readLine();
        assertTrue(status.startsWith("HTTP/1.1 200"), status);
        boolean close = false;
        int length = 0;
        for (String line; !(line = in.readLine()).isEmpty(); ) {
            String lower = line.toLowerCase();
            close |= lower.equals("connection: close");
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            }
        }
        assertEquals(length, in.skip(length));
        return close;
    }
}

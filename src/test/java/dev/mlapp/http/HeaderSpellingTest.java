package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.HELLO;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The course's users find the pod with {@code curl -D - … | grep}: the README must show the headers exactly as the
 * JDK's server writes them on the wire ({@code X-pod-name}, only the first letter capitalised) and tell them to
 * {@code grep -i}.
 */
class HeaderSpellingTest {

    @Test
    void theReadmeShowsTheHeadersAsTheyAppearOnTheWire() throws Exception {
        MlServer server = Serving.start(ServeConfig.loopback().with(HELLO, true).with(POD_NAME, "wire-pod"));
        try {
            RawHttp.Response response = RawHttp.exchange(server.port(),
                    RawHttp.ascii("GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            assertTrue(response.head().contains("\r\nX-pod-name: wire-pod\r\n"), response.head());
            assertTrue(response.head().contains("\r\nX-request-id: "), response.head());
        } finally {
            server.drainAndStop();
        }
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("| grep -i x-pod-name\n# X-pod-name: "), "README shows the wire spelling");
        assertTrue(readme.contains("`X-pod-name` and `X-request-id`"), "README names both as written on the wire");
    }
}

package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.JvmConf;
import dev.mlapp.testing.TestImages;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The packaged jar as a user runs it: {@code java -jar target/ml-app.jar}, then SIGTERM with requests in flight. */
class ServeProcessIT {

    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/");

    @Test
    void servesTheEmbeddedModelAndExitsCleanlyOnSigterm() throws Exception {
        Path jar = Path.of("target", "ml-app.jar");
        assertTrue(Files.exists(jar), "run after 'mvn package'");
        Process process = JvmConf.apply(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar.toString(),
                "--host", "127.0.0.1", "--port", "0", "--pod-name", "it-pod", "--shutdown-delay", "500ms"))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        int port = -1;
        boolean ready = false;
        for (String line; !ready && (line = out.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
            ready = line.contains("ml-app ready");
        }
        assertTrue(ready && port > 0, "the server printed its URL and became ready");
        Thread.ofVirtual().start(() -> {
            try {
                out.lines().forEach(l -> { });
            } catch (java.io.UncheckedIOException e) {
                // the process exited and closed its output
            }
        });

        HttpTestClient http = new HttpTestClient(port);
        assertEquals(200, http.get("/readyz").statusCode());
        byte[] image = TestImages.picture("jpg", 1200, 900);
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                inFlight.add(pool.submit(() -> http.upload("/predict", "file", image)));
            }
            Thread.sleep(50);
            process.destroy(); // SIGTERM
            for (Future<HttpResponse<String>> response : inFlight) {
                assertEquals(200, response.get().statusCode(), response.get().body());
            }
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server exits after draining");
        assertEquals(0, process.exitValue(), "a drained shutdown exits 0");
    }

    @Test
    void aMissingModelFileStopsTheStartBeforeAnythingListens() throws Exception {
        Path jar = Path.of("target", "ml-app.jar");
        Process process = JvmConf.apply(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar.toString(),
                "--host", "127.0.0.1", "--port", "0", "--model", "no-such-model.keras"))
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), out);
        assertEquals("ml-app: cannot serve the model: model file no-such-model.keras does not exist", out.strip(),
                "one sentence, and no 'listening on' for a server that would serve nothing");
    }
}

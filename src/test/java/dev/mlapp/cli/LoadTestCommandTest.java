package dev.mlapp.cli;

import static dev.mlapp.serve.ServeSettings.HELLO;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.http.MlServer;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.SystemTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadtest} end to end against the real server: JSON on stdout, the CSV log, the HTML report. */
class LoadTestCommandTest {

    @TempDir
    Path dir;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void captureOutput() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void jsonCsvAndHtmlReportsDescribeTheSameRun() throws Exception {
        MlServer server = Serving.start(ServeConfig.loopback().with(HELLO, true).with(POD_NAME, "pod-x"));
        try {
            Path csv = dir.resolve("requests.csv");
            Path html = dir.resolve("report.html");
            ExitStatus status = Main.run(List.of("loadtest", "--url", "http://127.0.0.1:" + server.port(),
                    "--path", "/whoami", "--concurrency", "3", "--requests", "90", "--new-connection", "--json",
                    "--csv", csv.toString(), "--html", html.toString(), "--expect-pods", "2"), Map.of());
            assertEquals(ExitStatus.OK, status);
            JsonObject report = JsonParser.parseString(stdout.toString(StandardCharsets.UTF_8)).getAsJsonObject();
            assertEquals(90, report.get("requests").getAsInt());
            assertEquals(90, report.get("successes").getAsInt());
            assertEquals(90, report.get("tcp_connections").getAsInt());
            assertEquals(List.of("(silent pod 1)=0", "pod-x=90"), report.getAsJsonArray("pods").asList().stream()
                    .map(e -> e.getAsJsonObject().get("pod").getAsString() + "="
                            + e.getAsJsonObject().get("requests").getAsInt()).toList());
            // one real pod and one expected but silent: as uneven as two pods can be
            JsonObject chi = report.getAsJsonObject("chi_square");
            assertEquals(90, chi.get("statistic").getAsDouble(), 1e-9);
            assertTrue(chi.get("p_value").getAsDouble() < 1e-15);
            assertTrue(report.getAsJsonObject("latency_ms").get("p99").getAsDouble() > 0);

            List<String> rows = Files.readAllLines(csv);
            assertEquals(91, rows.size());
            assertTrue(rows.get(1).contains(",ok,200,pod-x,true,"), rows.get(1));

            String page = Files.readString(html);
            assertTrue(page.contains("<svg"), "charts are inline SVG");
            assertTrue(page.contains("pod-x"));
            assertFalse(page.contains("<script"), "no script");
            assertFalse(page.replace("http://www.w3.org/2000/svg", "").matches("(?s).*(src|href)=\"https?:.*"),
                    "nothing fetched from the network");
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void imageUploadsReachThePredictionApi() throws Exception {
        Path image = SystemTools.requireShared("images/food_noodles.jpg");
        MlServer server = Serving.start(ServeConfig.loopback().with(POD_NAME, "pod-ml"));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            ExitStatus status = Main.run(List.of("loadtest", "--url", "http://127.0.0.1:" + server.port(),
                    "--image", image.toString(), "--path", "/api/v1/predict", "--concurrency", "2",
                    "--requests", "6", "--keep-alive", "--json"), Map.of());
            assertEquals(ExitStatus.OK, status);
            JsonObject report = JsonParser.parseString(stdout.toString(StandardCharsets.UTF_8)).getAsJsonObject();
            assertEquals(6, report.get("successes").getAsInt(), report.toString());
            assertEquals(2, report.get("tcp_connections").getAsInt());
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void aClosedPortIsSaidUpFrontAndNoThroughputIsReported() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort(); // free once closed: nothing listens there
        }
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        ExitStatus status = Main.run(List.of("loadtest", "--url", "http://127.0.0.1:" + closed, "--duration", "2s"),
                Map.of());
        assertEquals(ExitStatus.FAILURE, status);
        String err = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(err.startsWith("ml-app loadtest: nothing answers on 127.0.0.1:" + closed + " (Connection refused)"),
                err);
        assertEquals("", stdout.toString(StandardCharsets.UTF_8), "no report of a run that did not happen");
    }

    @Test
    void aBadCommandLineIsAUsageError() {
        assertEquals(ExitStatus.USAGE, Main.run(List.of("loadtest"), Map.of()));
        assertEquals(ExitStatus.USAGE, Main.run(List.of("loadtest", "--url", "http://h:1", "--keep-alive",
                "--new-connection"), Map.of()));
        assertEquals(ExitStatus.USAGE, Main.run(List.of("loadtest", "--url", "http://h:1", "--duration", "5s",
                "--requests", "9"), Map.of()));
        assertEquals(ExitStatus.USAGE, Main.run(List.of("loadtest", "--url", "ftp://h/"), Map.of()));
    }
}

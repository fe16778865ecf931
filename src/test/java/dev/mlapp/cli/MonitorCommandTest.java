package dev.mlapp.cli;

import static dev.mlapp.serve.ServeSettings.HELLO;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.http.MlServer;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor against a fake {@code kubectl} on PATH that prints real-shaped JSON (captured from a kubeadm
 * cluster, names changed) — the one thing that cannot exist here is the Kubernetes API. The pod's IP and
 * container port point at a real server, so the per-pod /metrics scrape is real.
 */
class MonitorCommandTest {

    @TempDir
    Path dir;
    private MlServer server;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void start() {
        server = Serving.start(ServeConfig.loopback().with(HELLO, true).with(POD_NAME, "ml-app-7d9c6b5f4-abcde"));
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        server.drainAndStop();
    }

    private Map<String, String> fakeKubectl(boolean metricsServer) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        String pods = resource("pods.json").replace("@PORT@", String.valueOf(server.port()));
        Files.writeString(dir.resolve("pods.json"), pods);
        Files.writeString(dir.resolve("pod-metrics.json"), resource("pod-metrics.json"));
        String metricsBranch = metricsServer
                ? "cat '" + dir.resolve("pod-metrics.json") + "'"
                : "echo 'Error from server (NotFound): the server could not find the requested resource' >&2; exit 1";
        Path kubectl = bin.resolve("kubectl");
        Files.writeString(kubectl, """
                #!/bin/sh
                echo "$*" >> '%s'
                case "$1 $2" in
                  "get pods") cat '%s' ;;
                  "get --raw") %s ;;
                  *) echo "unexpected: $*" >&2; exit 2 ;;
                esac
                """.formatted(dir.resolve("calls.log"), dir.resolve("pods.json"), metricsBranch));
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":/usr/bin:/bin");
        return env;
    }

    private static String resource(String name) throws IOException {
        try (var in = MonitorCommandTest.class.getResourceAsStream("/kubectl/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void sendRequests(int n) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < n; i++) {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/whoami")).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    @Test
    void oneSnapshotShowsRequestsLimitsUsageAndTheServedCount() throws Exception {
        sendRequests(7);
        Path csv = dir.resolve("monitor.csv");
        Path course = dir.resolve("resource_usage.csv");
        ExitStatus status = Main.run(List.of("monitor", "--duration", "0s", "--pods-csv", csv.toString(),
                "--csv", course.toString(), "--namespace", "default", "--selector", "app=ml-app"), fakeKubectl(true));
        assertEquals(ExitStatus.OK, status, stderr.toString());
        String table = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("replicas 2 (1 ready)"), table);
        assertTrue(table.contains("254m/500m/1000m"), table);
        assertTrue(table.contains("183Mi/512Mi/1024Mi") || table.contains("183Mi/512Mi/1.0Gi"), table);

        List<String> rows = Files.readAllLines(csv);
        assertEquals(3, rows.size(), rows.toString());
        String[] ready = rows.get(1).split(",");
        assertEquals("ml-app-7d9c6b5f4-abcde", ready[1]);
        assertEquals("true", ready[2]);
        assertEquals("1", ready[3]);
        assertEquals(253.816279, Double.parseDouble(ready[4]), 1e-6);
        assertEquals(187236L * 1024, Long.parseLong(ready[7]));
        assertEquals(1L << 30, Long.parseLong(ready[9]));
        assertTrue(Double.parseDouble(ready[10]) >= 7, "requests served, from the pod's /metrics: " + ready[10]);
        String[] pending = rows.get(2).split(",", -1);
        assertEquals("false", pending[2]);
        assertEquals("", pending[4], "no usage for a pod the metrics API does not list");
        assertEquals("", pending[6], "no CPU limit set");

        // the course's columns: sums over both pods (the pending one has no resources, no usage yet); the other
        // namespace's pod in the Metrics API's answer is not one of the app's
        List<String> courseRows = Files.readAllLines(course);
        assertEquals(List.of("time,n_replica,cpu_req_core,mem_req_KB,cpu_lim_core,mem_lim_KB,cpu_use_core,mem_use_KB"),
                courseRows.subList(0, 1));
        assertEquals(2, courseRows.size(), courseRows.toString());
        String[] totals = courseRows.get(1).split(",");
        assertTrue(Double.parseDouble(totals[0]) < 5, "seconds since the start: " + totals[0]);
        assertEquals(List.of("2", "0.5", "524288", "1", "1048576", "0.253816279", "187236"),
                List.of(totals).subList(1, 8));
        assertTrue(table.contains("summary over 1 snapshots: memory requested 524288 KB (512 MiB), memory used "
                + "187236 KB (183 MiB)"), table);

        String calls = Files.readString(dir.resolve("calls.log"));
        assertTrue(calls.contains("get pods -n default -l app=ml-app -o json"), calls);
        assertTrue(calls.contains("get --raw /apis/metrics.k8s.io/v1beta1/namespaces/default/pods"), calls);
    }

    @Test
    void withoutMetricsServerItSaysSoAndStillShowsTheRest() throws Exception {
        ExitStatus status = Main.run(List.of("monitor", "--duration", "0s"), fakeKubectl(false));
        assertEquals(ExitStatus.OK, status);
        assertTrue(stderr.toString().contains("install metrics-server"), stderr.toString());
        assertTrue(stdout.toString().contains("-/500m/1000m"), stdout.toString());
    }

    @Test
    void withoutKubectlItFailsWithAClearMessage() {
        ExitStatus status = Main.run(List.of("monitor", "--duration", "0s"), Map.of("PATH", dir.toString()));
        assertEquals(ExitStatus.FAILURE, status);
        assertTrue(stderr.toString().contains("kubectl is not on PATH"), stderr.toString());
    }

    @Test
    void aWrongKubectlIsBlamedOnTheSettingThatNamedIt() {
        Path missing = dir.resolve("no-kubectl");
        ExitStatus flag = Main.run(List.of("monitor", "--duration", "0s", "--kubectl", missing.toString()),
                Map.of("PATH", dir.toString()));
        assertEquals(ExitStatus.FAILURE, flag);
        assertTrue(stderr.toString().contains("--kubectl " + missing + " is not an executable file"),
                stderr.toString());
        stderr.reset();
        ExitStatus env = Main.run(List.of("monitor", "--duration", "0s"),
                Map.of("PATH", dir.toString(), "KUBECTL", missing.toString()));
        assertEquals(ExitStatus.FAILURE, env);
        assertTrue(stderr.toString().contains("KUBECTL=" + missing + " is not an executable file"),
                stderr.toString());
    }
}

package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor against a real kubectl process (a script standing in for the cluster's answers) and a real pod
 * {@code /metrics} on a loopback port: with and without a metrics API.
 */
class ClusterMonitorTest {

    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private HttpServer pod;
    private final AtomicReference<String> podMetrics = new AtomicReference<>("");

    @BeforeEach
    void startPod() throws IOException {
        pod = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pod.createContext("/metrics", exchange -> {
            byte[] body = podMetrics.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pod.start();
    }

    @AfterEach
    void stopPod() {
        pod.stop(0);
    }

    @Test
    void withoutAMetricsApiCpuAndMemoryComeFromEachPodsOwnMetricsAndTheReasonIsSaid() throws Exception {
        ClusterMonitor monitor = new ClusterMonitor(fakeKubectl(null), "default", "app=ml-app");
        podMetrics.set(processMetrics(10.0, 700 * MIB));
        long before = System.nanoTime();
        ClusterSnapshot first = monitor.snapshot();
        Thread.sleep(200);
        podMetrics.set(processMetrics(10.5, 720 * MIB));
        ClusterSnapshot second = monitor.snapshot();
        double elapsedSeconds = (System.nanoTime() - before) / 1e9;

        assertNotNull(first.metricsProblem());
        assertTrue(first.metricsProblem().contains("kubectl top"), first.metricsProblem());
        assertTrue(first.metricsProblem().contains("own /metrics"), first.metricsProblem());
        PodStatus firstPod = first.pods().getFirst();
        assertEquals(700 * MIB, firstPod.memoryUsageBytes());
        assertEquals(-1, firstPod.cpuUsageMillis(), "no CPU rate from a single reading");
        PodStatus secondPod = second.pods().getFirst();
        assertEquals(720 * MIB, secondPod.memoryUsageBytes());
        // 0.5 s of CPU time between two reads at least 200 ms and at most the whole test apart
        double cpu = secondPod.cpuUsageMillis();
        assertTrue(cpu >= 500 / elapsedSeconds && cpu <= 500 / 0.2, "CPU " + cpu + " m over " + elapsedSeconds + " s");
        assertEquals(12, secondPod.requestsServed(), 0);
        assertTrue(MonitorReport.table(second).contains("CPU "), MonitorReport.table(second));
    }

    @Test
    void whereTheMetricsApiExistsItsUsageIsShown() throws Exception {
        String podMetricsList = """
                {"kind":"PodMetricsList","items":[{"metadata":{"name":"ml-app-1"},
                 "containers":[{"name":"ml-app","usage":{"cpu":"253816279n","memory":"512Mi"}}]}]}""";
        ClusterMonitor monitor = new ClusterMonitor(fakeKubectl(podMetricsList), "default", "app=ml-app");
        podMetrics.set(processMetrics(10.0, 700 * MIB));

        ClusterSnapshot snapshot = monitor.snapshot();

        assertNull(snapshot.metricsProblem());
        PodStatus p = snapshot.pods().getFirst();
        assertEquals(512 * MIB, p.memoryUsageBytes());
        assertEquals(253.816279, p.cpuUsageMillis(), 1e-6);
        assertEquals(12, p.requestsServed(), 0);
    }

    /**
     * Recorded on the kit's cluster (../shared/k8s with metrics-server v0.4.5, 2026-12-06): kubectl get pods -o json
     * of the five demo-model replicas and the Metrics API's PodMetricsList read at the same moment. The expected sums
     * are the recorded values added by hand: five pods of 200m/1Gi requested, 2/1536Mi limits; usage 3371090n +
     * 10589646n + 2400938n + 7165426n + 5621437n CPU and 97304Ki + 95192Ki + 101116Ki + 98696Ki + 98224Ki memory.
     */
    @Test
    void theCoursesColumnsSumARealClustersPodsAndMetrics() throws Exception {
        ClusterMonitor monitor = new ClusterMonitor(fakeKubectlListing(resource("kit/pods.json"),
                resource("kit/pod-metrics.json")), "default", "app=ml-app");

        ClusterSnapshot snapshot = monitor.snapshot();

        assertNull(snapshot.metricsProblem());
        assertEquals(5, snapshot.readyCount());
        assertEquals("0.00,5,1,5242880,10,7864320,0.029148537,490532\n", ResourceTotals.of(snapshot).csvRow(0));
        assertEquals("time,n_replica,cpu_req_core,mem_req_KB,cpu_lim_core,mem_lim_KB,cpu_use_core,mem_use_KB",
                ResourceTotals.CSV_HEADER);
    }

    private static String resource(String name) throws IOException {
        try (var in = ClusterMonitorTest.class.getResourceAsStream("/kubectl/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void unreachablePodsAreSaidToBeUnreachable() throws Exception {
        int port = pod.getAddress().getPort();
        pod.stop(0);
        ClusterMonitor monitor = new ClusterMonitor(fakeKubectl(null, port), "default", "app=ml-app");

        ClusterSnapshot snapshot = monitor.snapshot();

        assertTrue(snapshot.metricsProblem().contains("cannot be reached"), snapshot.metricsProblem());
        assertEquals(-1, snapshot.pods().getFirst().memoryUsageBytes());
    }

    private static String processMetrics(double cpuSeconds, long residentBytes) {
        return """
                # TYPE process_cpu_seconds_total counter
                process_cpu_seconds_total %s
                # TYPE process_resident_memory_bytes gauge
                process_resident_memory_bytes %d
                http_requests_total{method="POST",route="/predict",status="200"} 12.0
                http_requests_in_flight 1.0
                """.formatted(cpuSeconds, residentBytes);
    }

    private Kubectl fakeKubectl(String metricsApiAnswer) throws IOException {
        return fakeKubectl(metricsApiAnswer, pod.getAddress().getPort());
    }

    /** A kubectl listing one ready pod at 127.0.0.1:port; the metrics API answers, or fails as without metrics-server. */
    private Kubectl fakeKubectl(String metricsApiAnswer, int port) throws IOException {
        return fakeKubectlListing("""
                {"items":[{"metadata":{"name":"ml-app-1"},
                  "spec":{"containers":[{"name":"ml-app","ports":[{"containerPort":%d}],
                    "resources":{"requests":{"cpu":"200m","memory":"1Gi"},"limits":{"cpu":"2","memory":"2Gi"}}}]},
                  "status":{"podIP":"127.0.0.1","containerStatuses":[{"ready":true,"restartCount":0}]}}]}
                """.formatted(port), metricsApiAnswer);
    }

    /** A kubectl answering {@code get pods} with podsJson and the metrics API with metricsApiAnswer (null: absent). */
    private Kubectl fakeKubectlListing(String podsJson, String metricsApiAnswer) throws IOException {
        Path pods = Files.writeString(dir.resolve("pods.json"), podsJson);
        String raw = metricsApiAnswer == null
                ? "echo 'Error from server (NotFound): the server could not find the requested resource' >&2; exit 1"
                : "cat '" + Files.writeString(dir.resolve("usage.json"), metricsApiAnswer) + "'";
        Path script = dir.resolve("kubectl");
        Files.writeString(script, """
                #!/bin/sh
                case "$*" in
                  *--raw*) %s ;;
                  *) cat '%s' ;;
                esac
                """.formatted(raw, pods));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Kubectl.locate(Map.of("KUBECTL", script.toString()));
    }
}

package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.testing.SystemTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The proof: five real replicas (the packaged jar, hello mode) behind HAProxy in TCP round-robin mode
 * on an ephemeral port (32000 is the documented demo's), loaded with a new TCP connection per request. The
 * replica-killing test runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {

    private static final double TOLERANCE = 0.20;
    private static final List<String> PODS = IntStream.rangeClosed(1, LocalCluster.REPLICAS)
            .mapToObj(i -> "ml-app-" + i).toList();

    private static LocalCluster cluster;

    @BeforeAll
    static void up() throws Exception {
        cluster = LocalCluster.up("main");
    }

    @AfterAll
    static void down() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static LoadPlan newConnections(int concurrency, Duration duration, long requests) {
        return new LoadPlan("127.0.0.1", cluster.port, RequestTemplate.get("/whoami"), concurrency, duration,
                requests, 0, false, Duration.ofSeconds(5));
    }

    @Test
    @Order(1)
    void newConnectionsSpreadEvenlyOverAllFiveReplicas() throws InterruptedException {
        LoadPlan plan = newConnections(10, null, 1000);
        LoadSummary summary = LoadSummary.of(LoadGenerator.run(plan), PODS);
        System.out.println(TextReport.render(plan, summary));
        assertEquals(0, summary.failed(), "failures: " + summary.failures());
        assertEquals(PODS, List.copyOf(summary.pods().keySet()));
        for (String pod : PODS) {
            double share = summary.share(pod);
            assertTrue(Math.abs(share - 0.2) <= 0.2 * TOLERANCE, pod + " served " + share);
        }
        assertTrue(summary.evenness().pValue() > 0.01, "chi-square " + summary.evenness());
    }

    @Test
    @Order(2)
    void siegeCompletesWithFullAvailability() throws Exception {
        Path siege = SystemTools.require("siege", "siege");
        Process process = new ProcessBuilder(siege.toString(), "--concurrent=10", "--reps=40", "--benchmark",
                "--header=Connection: close", "http://127.0.0.1:" + cluster.port + "/whoami")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "siege did not finish");
        System.out.println("siege: " + out);
        JsonObject report = JsonParser.parseString(out.substring(out.indexOf('{'))).getAsJsonObject();
        assertEquals(400, report.get("transactions").getAsInt());
        assertEquals(100.0, report.get("availability").getAsDouble(), 0);
        assertEquals(0, report.get("failed_transactions").getAsInt());
    }

    @Test
    @Order(3)
    void aKilledReplicaCostsAtMostAHandfulOfRequestsAndTheRestSpreadOverTheOthers() throws Exception {
        long killAtMillis = 1500;
        CompletableFuture<LoadRun> load = CompletableFuture.supplyAsync(() -> {
            try {
                return LoadGenerator.run(newConnections(4, Duration.ofSeconds(5), 0));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(killAtMillis);
        cluster.kill(3, "KILL");
        LoadRun run = load.get(60, TimeUnit.SECONDS);
        LoadSummary summary = LoadSummary.of(run, PODS);
        System.out.println(TextReport.render(run.plan(), summary));
        System.out.println(cluster.status());
        assertTrue(summary.failed() <= 5, "failures: " + summary.failures());
        assertTrue(summary.successes() > 100, "too few requests to judge: " + summary.successes());

        // once HAProxy has noticed (2 failed checks 500 ms apart), the four survivors share the load evenly
        long settled = TimeUnit.MILLISECONDS.toNanos(killAtMillis + 1500);
        Map<String, Long> after = run.samples().stream()
                .filter(s -> s.sentNanos() > settled && s.outcome() == Outcome.OK)
                .collect(Collectors.groupingBy(Sample::podName, Collectors.counting()));
        System.out.println("after the kill: " + after);
        assertEquals(List.of("ml-app-1", "ml-app-2", "ml-app-4", "ml-app-5"), after.keySet().stream().sorted().toList());
        long total = after.values().stream().mapToLong(Long::longValue).sum();
        for (Map.Entry<String, Long> pod : after.entrySet()) {
            double share = (double) pod.getValue() / total;
            assertTrue(Math.abs(share - 0.25) <= 0.25 * TOLERANCE, pod.getKey() + " served " + share + " of " + total);
        }
    }

    @Test
    @Order(4)
    void aReplicaStoppedGracefullyCostsNoRequestAtAll() throws Exception {
        // SIGTERM: /readyz turns red, the replica keeps serving for SHUTDOWN_DELAY (2 s) while HAProxy's checks
        // (every 500 ms, out after 2) take it out of rotation, then it drains — as a pod behind a Service does.
        CompletableFuture<LoadRun> load = CompletableFuture.supplyAsync(() -> {
            try {
                return LoadGenerator.run(newConnections(4, Duration.ofSeconds(5), 0));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1000);
        cluster.kill(2, "TERM");
        LoadRun run = load.get(60, TimeUnit.SECONDS);
        LoadSummary summary = LoadSummary.of(run, List.of());
        System.out.println(TextReport.render(run.plan(), summary));
        assertEquals(0, summary.failed(), "failures: " + summary.failures());
        assertEquals(List.of("ml-app-1", "ml-app-2", "ml-app-4", "ml-app-5"), List.copyOf(summary.pods().keySet()));
    }
}

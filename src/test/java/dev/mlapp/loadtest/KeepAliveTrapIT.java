package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The keep-alive trap behind an L4 balancer, before and after {@code --max-requests-per-connection}:
 * two keep-alive clients stick to two replicas; when the server closes every connection after 20 requests,
 * each reconnect is balanced again and all five replicas get their share.
 */
class KeepAliveTrapIT {

    private static final List<String> PODS = IntStream.rangeClosed(1, LocalCluster.REPLICAS)
            .mapToObj(i -> "ml-app-" + i).toList();

    private static LoadSummary keepAliveLoad(LocalCluster cluster) throws InterruptedException {
        LoadPlan plan = new LoadPlan("127.0.0.1", cluster.port, RequestTemplate.get("/whoami"), 2, null, 600, 0,
                true, Duration.ofSeconds(5));
        LoadSummary summary = LoadSummary.of(LoadGenerator.run(plan), PODS);
        System.out.println(TextReport.render(plan, summary));
        return summary;
    }

    @Test
    void keepAliveClientsStickToTheirFirstReplicas() throws Exception {
        try (LocalCluster cluster = LocalCluster.up("keepalive-before")) {
            LoadSummary summary = keepAliveLoad(cluster);
            assertEquals(0, summary.failed(), "failures: " + summary.failures());
            assertEquals(2, summary.newConnections());
            long answering = summary.pods().values().stream().filter(count -> count > 0).count();
            assertTrue(answering <= 2, "pods that answered: " + summary.pods());
            assertTrue(summary.evenness().pValue() < 1e-6, "chi-square " + summary.evenness());
        }
    }

    @Test
    void closingConnectionsAfterTwentyRequestsSpreadsThemAgain() throws Exception {
        try (LocalCluster cluster = LocalCluster.up("keepalive-after", "--max-requests-per-connection", "20")) {
            LoadSummary summary = keepAliveLoad(cluster);
            assertEquals(0, summary.failed(), "failures: " + summary.failures());
            assertTrue(summary.newConnections() >= 30, "connections: " + summary.newConnections());
            for (String pod : PODS) {
                double share = summary.share(pod);
                assertTrue(Math.abs(share - 0.2) <= 0.2 * 0.2, pod + " served " + share + " " + summary.pods());
            }
        }
    }
}

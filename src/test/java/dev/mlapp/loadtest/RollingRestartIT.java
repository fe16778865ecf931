package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart of all five replicas, one after another, as {@code kubectl rollout restart} does, under steady
 * load through HAProxy: clients see zero failed requests. It works because on SIGTERM readiness turns red first
 * and the replica keeps serving for the shutdown delay (so the balancer stops sending before the listener
 * closes, the job of Kubernetes' preStop sleep), answers with {@code Connection: close} meanwhile (so keep-alive
 * clients reconnect elsewhere), and finishes its in-flight requests before exiting.
 */
class RollingRestartIT {

    /** Load runs back to back in slices this long until the rollout is over, however long that takes. */
    private static final Duration SLICE = Duration.ofSeconds(3);

    @Test
    void restartingEveryReplicaInTurnUnderLoadLosesNoRequest() throws Exception {
        try (LocalCluster cluster = LocalCluster.up("rolling")) {
            AtomicBoolean rolling = new AtomicBoolean(true);
            CompletableFuture<List<LoadRun>> perRequest = loadWhile(cluster, false, rolling);
            CompletableFuture<List<LoadRun>> keepAlive = loadWhile(cluster, true, rolling);
            Thread.sleep(1000);
            long start = System.nanoTime();
            try {
                for (int replica = 1; replica <= LocalCluster.REPLICAS; replica++) {
                    cluster.restart(replica);
                }
            } finally {
                rolling.set(false);
            }
            System.out.printf("rolled %d replicas in %.1f s%n", LocalCluster.REPLICAS, (System.nanoTime() - start) / 1e9);

            for (CompletableFuture<List<LoadRun>> load : List.of(perRequest, keepAlive)) {
                List<LoadRun> runs = load.get(120, TimeUnit.SECONDS);
                String kind = runs.get(0).plan().keepAlive() ? "keep-alive" : "new connection per request";
                long requests = 0;
                long failed = 0;
                Set<String> pods = new TreeSet<>();
                List<Object> failures = new ArrayList<>();
                for (LoadRun run : runs) {
                    LoadSummary summary = LoadSummary.of(run, List.of());
                    requests += summary.requests();
                    failed += summary.failed();
                    pods.addAll(summary.pods().keySet());
                    if (summary.failed() > 0) {
                        failures.add(summary.failures());
                    }
                }
                System.out.printf("%s: %d requests in %d slices, %d failed, pods %s%n", kind, requests, runs.size(),
                        failed, pods);
                assertTrue(requests > 100, kind + ": steady load throughout: " + requests);
                assertEquals(0, failed, kind + " failures: " + failures);
                if (!runs.get(0).plan().keepAlive()) {
                    // Kept-alive connections stay with the replica they reached until it drains, so only the
                    // new-connection load is bound to visit every replica (restarted ones included).
                    assertEquals(LocalCluster.REPLICAS, pods.size(), kind + ": every replica served: " + pods);
                }
            }
        }
    }

    /** Two closed-loop workers in back-to-back slices while {@code rolling}; a connection per request or kept. */
    private static CompletableFuture<List<LoadRun>> loadWhile(LocalCluster cluster, boolean keepAlive,
                                                              AtomicBoolean rolling) {
        LoadPlan plan = new LoadPlan("127.0.0.1", cluster.port, RequestTemplate.get("/whoami"), 2, SLICE, 0, 0,
                keepAlive, Duration.ofSeconds(10));
        return CompletableFuture.supplyAsync(() -> {
            List<LoadRun> runs = new ArrayList<>();
            try {
                do {
                    runs.add(LoadGenerator.run(plan));
                } while (rolling.get());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return runs;
            // Own threads: on a small machine the common pool may have one thread and would run the loads in turn.
        }, task -> Thread.ofPlatform().name(keepAlive ? "keep-alive-load" : "new-connection-load").start(task));
    }
}

package dev.mlapp.cli;

import dev.mlapp.loadtest.ClusterMonitor;
import dev.mlapp.loadtest.ClusterSnapshot;
import dev.mlapp.loadtest.Kubectl;
import dev.mlapp.loadtest.MonitorReport;
import dev.mlapp.loadtest.ResourceTotals;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code monitor}: every few seconds, the app's replicas, their CPU and memory, and what each has served. */
final class MonitorCommand {

    static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    static final String DEFAULT_NAMESPACE = "default";
    static final String DEFAULT_SELECTOR = "app=ml-app";

    static final String HELP = """
            Usage: ./ml-app monitor [OPTIONS]

            Runs where kubectl reaches the cluster. CPU and memory usage come from the metrics API (metrics-server,
            as 'kubectl top' does); without it, from each pod's own /metrics, which needs the pod IPs reachable from
            here (run it on a node, e.g. node-0).
              --duration DURATION   how long to watch (default 60s; 0 = one snapshot)
              --interval DURATION   time between snapshots (default 5s)
              --namespace NS        namespace of the app (default default)
              --selector LABELS     label selector of the app's pods (default app=ml-app)
              --csv FILE            also write the course's resource monitor columns to FILE, one row per
                                    snapshot: time,n_replica,cpu_req_core,mem_req_KB,cpu_lim_core,mem_lim_KB,
                                    cpu_use_core,mem_use_KB (seconds since the start; sums over the pods'
                                    containers; cores and KiB); the mean memory requested and used at the end
              --pods-csv FILE       also write one row per pod and snapshot to FILE
              --kubectl PATH        kubectl to run [KUBECTL] (default: kubectl on PATH)
            """;

    private static final List<String> FLAGS = List.of("duration", "interval", "namespace", "selector", "csv",
            "pods-csv", "kubectl", "help");

    private MonitorCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        // Empty after --help, which forCommand has printed.
        return Options.forCommand(args, env, List.of(), FLAGS, HELP)
                .map(options -> run(options, env)).orElse(ExitStatus.OK);
    }

    private static ExitStatus run(Options options, Map<String, String> env) {
        Duration duration = options.duration("duration", null, DEFAULT_DURATION);
        Duration interval = options.duration("interval", null, DEFAULT_INTERVAL);
        if (interval.isZero() || interval.isNegative()) {
            throw new UsageException("--interval must be positive");
        }
        ClusterMonitor monitor;
        try {
            Optional<String> flag = options.get("kubectl", null);
            Kubectl kubectl = flag.isPresent() ? Kubectl.at(flag.get(), "--kubectl ") : Kubectl.locate(env);
            monitor = new ClusterMonitor(kubectl, options.get("namespace", null, DEFAULT_NAMESPACE),
                    options.get("selector", null, DEFAULT_SELECTOR));
        } catch (Kubectl.KubectlException e) {
            System.err.println("ml-app monitor: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        Writer csv = null;
        Writer podsCsv = null;
        try {
            csv = open(options, "csv", ResourceTotals.CSV_HEADER);
            podsCsv = open(options, "pods-csv", MonitorReport.CSV_HEADER);
            long snapshots = Math.max(1, duration.toNanos() / interval.toNanos());
            String lastProblem = null;
            ResourceTotals.Mean mean = new ResourceTotals.Mean();
            long start = System.nanoTime();
            for (long i = 0; i < snapshots; i++) {
                sleepUntil(start + i * interval.toNanos());
                double seconds = (System.nanoTime() - start) / 1e9;
                ClusterSnapshot snapshot = monitor.snapshot();
                if (snapshot.metricsProblem() != null && !snapshot.metricsProblem().equals(lastProblem)) {
                    System.err.println("ml-app monitor: " + snapshot.metricsProblem());
                }
                lastProblem = snapshot.metricsProblem();
                System.out.println(MonitorReport.table(snapshot));
                ResourceTotals totals = ResourceTotals.of(snapshot);
                mean.add(totals);
                if (csv != null) {
                    csv.write(totals.csvRow(seconds));
                    csv.flush();
                }
                if (podsCsv != null) {
                    podsCsv.write(MonitorReport.csvRows(snapshot));
                    podsCsv.flush();
                }
            }
            System.out.println("summary " + mean.summary());
            return ExitStatus.OK;
        } catch (Kubectl.KubectlException e) {
            System.err.println("ml-app monitor: kubectl cannot list the pods: " + e.getMessage()
                    + "\n(check that 'kubectl get nodes' works here: KUBECONFIG or ~/.kube/config)");
            return ExitStatus.FAILURE;
        } catch (IOException e) {
            System.err.println("ml-app monitor: cannot write the CSV: " + e.getMessage());
            return ExitStatus.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.FAILURE;
        } finally {
            close(csv);
            close(podsCsv);
        }
    }

    /** The CSV file the option names, with its header written; null without the option. */
    private static Writer open(Options options, String flag, String header) throws IOException {
        if (options.get(flag, null).isEmpty()) {
            return null;
        }
        Writer writer = Files.newBufferedWriter(Path.of(options.get(flag, null).get()), StandardCharsets.UTF_8);
        writer.write(header + "\n");
        return writer;
    }

    private static void close(Writer writer) {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // already reported or nothing to add
            }
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long remaining = nanoTime - System.nanoTime();
        if (remaining > 0) {
            Thread.sleep(Duration.ofNanos(remaining));
        }
    }
}

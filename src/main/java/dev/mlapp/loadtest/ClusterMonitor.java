package dev.mlapp.loadtest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Takes {@link ClusterSnapshot}s of the app's pods the way the course's resource_monitor.py does: requests and
 * limits from {@code kubectl get pods -o json}, usage from the metrics API through {@code kubectl get --raw},
 * and, beyond it, each pod's own {@code /metrics} (requests served, in flight) where the pod IP is reachable.
 * Where the cluster has no metrics API (no metrics-server, so {@code kubectl top} fails too), CPU and memory come
 * from each pod's {@code /metrics} instead: the JVM's CPU time between two snapshots and its resident memory.
 */
public final class ClusterMonitor {

    static final int DEFAULT_CONTAINER_PORT = 5000;
    // a pod busy with a VGG16 batch on a throttled CPU may take a while to render /metrics
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(3);

    private final Kubectl kubectl;
    private final String namespace;
    private final String selector;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(SCRAPE_TIMEOUT).build();
    /** Pod name → its last {@code process_cpu_seconds_total} and when it was read, for a CPU rate. */
    private final Map<String, CpuSample> lastCpu = new HashMap<>();

    private record CpuSample(double cpuSeconds, long nanoTime) {
    }

    /** A pod with what its /metrics said about the process; −1 where it said nothing. */
    private record Scraped(PodStatus pod, CpuSample cpu, double residentBytes) {
    }

    public ClusterMonitor(Kubectl kubectl, String namespace, String selector) {
        this.kubectl = kubectl;
        this.namespace = namespace;
        this.selector = selector;
    }

    /** @throws Kubectl.KubectlException when the pods cannot be listed at all */
    public ClusterSnapshot snapshot() {
        Instant time = Instant.now();
        List<PodStatus> pods = parsePods(kubectl.run("get", "pods", "-n", namespace, "-l", selector, "-o", "json"));
        String problem = null;
        try {
            Map<String, double[]> usage = parseUsage(
                    kubectl.run("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/" + namespace + "/pods"));
            pods = pods.stream().map(p -> {
                double[] u = usage.get(p.name());
                return u == null ? p : p.withUsage(u[0], (long) u[1]);
            }).toList();
        } catch (Kubectl.KubectlException e) {
            problem = explainMetricsFailure(e.getMessage());
        }
        // in parallel: from outside the cluster every pod IP may time out, and five timeouts in a row would
        // stretch a 5 s interval
        List<Scraped> scraped;
        try (ExecutorService scrapers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Scraped>> futures = pods.stream().map(p -> scrapers.submit(() -> scrape(p))).toList();
            scraped = futures.stream().map(ClusterMonitor::join).toList();
        }
        if (problem == null) {
            pods = scraped.stream().map(Scraped::pod).toList();
        } else {
            pods = scraped.stream().map(this::usageFromPodMetrics).toList();
            boolean anyScraped = scraped.stream().anyMatch(p -> p.residentBytes() >= 0);
            problem = problem + (anyScraped
                    ? " CPU and memory shown here come from each pod's own /metrics instead: the JVM's CPU time "
                            + "between two snapshots (none on the first) and its resident memory."
                    : " The pods' own /metrics cannot be reached from here either (pod IPs answer on the cluster's "
                            + "nodes: run the monitor on node-0).");
        }
        lastCpu.keySet().retainAll(pods.stream().map(PodStatus::name).toList());
        return new ClusterSnapshot(time, pods, problem);
    }

    /** CPU as the rate of the process's CPU time since the last snapshot, memory as its resident set. */
    private PodStatus usageFromPodMetrics(Scraped scraped) {
        PodStatus pod = scraped.pod();
        if (scraped.cpu() == null) {
            return pod;
        }
        CpuSample previous = lastCpu.put(pod.name(), scraped.cpu());
        double cpuMillis = -1;
        if (previous != null && scraped.cpu().cpuSeconds() >= previous.cpuSeconds()
                && scraped.cpu().nanoTime() > previous.nanoTime()) {
            cpuMillis = (scraped.cpu().cpuSeconds() - previous.cpuSeconds()) * 1e12
                    / (scraped.cpu().nanoTime() - previous.nanoTime());
        }
        return pod.withUsage(cpuMillis, (long) scraped.residentBytes());
    }

    static String explainMetricsFailure(String kubectlMessage) {
        String m = kubectlMessage == null ? "" : kubectlMessage;
        if (m.contains("NotFound") || m.contains("could not find the requested resource")
                || m.contains("ServiceUnavailable") || m.contains("metrics.k8s.io")) {
            return "the cluster has no metrics API (metrics-server is not installed), which is also why "
                    + "'kubectl top pods' fails; install metrics-server for both: kubectl apply -f "
                    + "https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml "
                    + "(on a lab cluster add --kubelet-insecure-tls to its args) and wait a minute. kubectl said: "
                    + m + ".";
        }
        return "cannot read the metrics API: " + m;
    }

    static List<PodStatus> parsePods(String json) {
        List<PodStatus> pods = new ArrayList<>();
        for (JsonElement element : JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("items")) {
            JsonObject pod = element.getAsJsonObject();
            JsonObject status = object(pod, "status");
            boolean ready = true;
            int restarts = 0;
            JsonArray containerStatuses = status == null ? null : status.getAsJsonArray("containerStatuses");
            if (containerStatuses == null || containerStatuses.isEmpty()) {
                ready = false;
            } else {
                for (JsonElement cs : containerStatuses) {
                    ready &= cs.getAsJsonObject().has("ready") && cs.getAsJsonObject().get("ready").getAsBoolean();
                    restarts += cs.getAsJsonObject().has("restartCount")
                            ? cs.getAsJsonObject().get("restartCount").getAsInt() : 0;
                }
            }
            double cpuRequest = 0;
            double cpuLimit = 0;
            long memRequest = 0;
            long memLimit = 0;
            boolean allCpuLimited = true;
            boolean allMemLimited = true;
            int port = -1;
            for (JsonElement c : object(pod, "spec").getAsJsonArray("containers")) {
                JsonObject container = c.getAsJsonObject();
                JsonObject resources = object(container, "resources");
                JsonObject requests = resources == null ? null : object(resources, "requests");
                JsonObject limits = resources == null ? null : object(resources, "limits");
                cpuRequest += requests != null && requests.has("cpu") ? Quantities.millicores(string(requests, "cpu")) : 0;
                memRequest += requests != null && requests.has("memory") ? Quantities.bytes(string(requests, "memory")) : 0;
                if (limits != null && limits.has("cpu")) {
                    cpuLimit += Quantities.millicores(string(limits, "cpu"));
                } else {
                    allCpuLimited = false;
                }
                if (limits != null && limits.has("memory")) {
                    memLimit += Quantities.bytes(string(limits, "memory"));
                } else {
                    allMemLimited = false;
                }
                JsonArray ports = container.getAsJsonArray("ports");
                if (port < 0 && ports != null && !ports.isEmpty()) {
                    port = ports.get(0).getAsJsonObject().get("containerPort").getAsInt();
                }
            }
            String ip = status != null && status.has("podIP") ? string(status, "podIP") : null;
            pods.add(new PodStatus(string(object(pod, "metadata"), "name"), ready, restarts, ip,
                    port < 0 ? DEFAULT_CONTAINER_PORT : port, cpuRequest, allCpuLimited ? cpuLimit : -1, memRequest,
                    allMemLimited ? memLimit : -1, -1, -1, -1, -1));
        }
        return pods;
    }

    /** Pod name → {CPU millicores, memory bytes}, summed over containers, from a PodMetricsList. */
    static Map<String, double[]> parseUsage(String json) {
        Map<String, double[]> usage = new HashMap<>();
        for (JsonElement element : JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("items")) {
            JsonObject pod = element.getAsJsonObject();
            double cpu = 0;
            double memory = 0;
            for (JsonElement c : pod.getAsJsonArray("containers")) {
                JsonObject u = object(c.getAsJsonObject(), "usage");
                cpu += Quantities.millicores(string(u, "cpu"));
                memory += Quantities.bytes(string(u, "memory"));
            }
            usage.put(string(object(pod, "metadata"), "name"), new double[] {cpu, memory});
        }
        return usage;
    }

    private Scraped scrape(PodStatus pod) {
        Scraped nothing = new Scraped(pod, null, -1);
        if (pod.podIp() == null) {
            return nothing;
        }
        try {
            String host = pod.podIp().contains(":") ? "[" + pod.podIp() + "]" : pod.podIp();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + host + ":" + pod.port() + "/metrics")).timeout(SCRAPE_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            long readAt = System.nanoTime();
            if (response.statusCode() != 200) {
                return nothing;
            }
            String body = response.body();
            double inFlight = PrometheusText.sum(body, "http_requests_in_flight");
            double cpuSeconds = PrometheusText.sum(body, "process_cpu_seconds_total");
            // the pod renders /metrics while our scrape is in flight: not counting it shows 0 on an idle pod
            return new Scraped(pod.withServed(PrometheusText.sum(body, "http_requests_total"),
                    inFlight > 0 ? inFlight - 1 : inFlight),
                    cpuSeconds < 0 ? null : new CpuSample(cpuSeconds, readAt),
                    PrometheusText.sum(body, "process_resident_memory_bytes"));
        } catch (java.io.IOException e) {
            return nothing; // pod IPs are often unreachable from outside the cluster; the column stays empty
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return nothing;
        }
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scraping pods", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static JsonObject object(JsonObject parent, String name) {
        JsonElement e = parent.get(name);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    private static String string(JsonObject parent, String name) {
        return parent.get(name).getAsString();
    }
}

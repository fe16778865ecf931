package dev.mlapp.loadtest;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Map;

/** The machine-readable report of {@code loadtest --json}. Field names are snake_case and stable. */
public final class JsonReport {

    private JsonReport() {
    }

    public static String render(LoadPlan plan, LoadSummary s) {
        JsonObject root = new JsonObject();
        JsonObject target = new JsonObject();
        target.addProperty("url", "http://" + plan.hostHeader() + plan.request().path());
        target.addProperty("method", plan.request().method());
        target.addProperty("mode", plan.openLoop() ? "open" : "closed");
        target.addProperty("concurrency", plan.concurrency());
        target.addProperty("rate", plan.ratePerSecond());
        target.addProperty("keep_alive", plan.keepAlive());
        root.add("plan", target);
        root.addProperty("requests", s.requests());
        root.addProperty("successes", s.successes());
        root.addProperty("failed", s.failed());
        JsonObject failures = new JsonObject();
        s.failures().forEach(failures::addProperty);
        root.add("failures", failures);
        root.addProperty("availability_percent", s.availabilityPercent());
        root.addProperty("elapsed_seconds", s.elapsedSeconds());
        root.addProperty("throughput_rps", s.throughput());
        root.addProperty("tcp_connections", s.newConnections());
        JsonObject latency = new JsonObject();
        LoadSummary.Latency l = s.latency();
        latency.addProperty("min", l.min());
        latency.addProperty("mean", l.mean());
        latency.addProperty("p50", l.p50());
        latency.addProperty("p90", l.p90());
        latency.addProperty("p99", l.p99());
        latency.addProperty("max", l.max());
        root.add("latency_ms", latency);
        JsonArray pods = new JsonArray();
        for (Map.Entry<String, Long> pod : s.pods().entrySet()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("pod", pod.getKey());
            entry.addProperty("requests", pod.getValue());
            entry.addProperty("share", s.share(pod.getKey()));
            pods.add(entry);
        }
        root.add("pods", pods);
        if (s.evenness() != null) {
            JsonObject chi = new JsonObject();
            chi.addProperty("statistic", s.evenness().statistic());
            chi.addProperty("degrees_of_freedom", s.evenness().degreesOfFreedom());
            chi.addProperty("p_value", s.evenness().pValue());
            root.add("chi_square", chi);
        }
        JsonArray timeline = new JsonArray();
        for (LoadSummary.Second second : s.timeline()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("second", second.second());
            entry.addProperty("requests", second.requests());
            entry.addProperty("failures", second.failures());
            entry.addProperty("p50_ms", second.p50());
            entry.addProperty("p99_ms", second.p99());
            entry.addProperty("max_ms", second.max());
            timeline.add(entry);
        }
        root.add("timeline", timeline);
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(root);
    }
}

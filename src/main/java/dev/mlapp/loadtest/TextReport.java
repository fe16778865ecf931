package dev.mlapp.loadtest;

import java.util.Locale;
import java.util.Map;

/** The human-readable report printed at the end of a load test. */
public final class TextReport {

    private TextReport() {
    }

    public static String render(LoadPlan plan, LoadSummary s) {
        StringBuilder out = new StringBuilder();
        line(out, "Target", "http://" + plan.hostHeader() + plan.request().path() + " (" + plan.request().method() + ")");
        line(out, "Mode", (plan.openLoop()
                ? String.format(Locale.ROOT, "open loop, %.1f req/s, at most %d in flight", plan.ratePerSecond(),
                        plan.concurrency())
                : "closed loop, " + plan.concurrency() + " workers")
                + ", " + (plan.keepAlive() ? "keep-alive connections" : "a new connection per request"));
        line(out, "Requests", s.requests() + " in " + fmt(s.elapsedSeconds()) + " s, "
                + s.newConnections() + " TCP connections");
        line(out, "Successes", s.successes() + " (" + fmt(s.availabilityPercent()) + " %)");
        line(out, "Failures", s.failures().isEmpty() ? "none" : s.failed() + " " + s.failures());
        line(out, "Throughput", s.successes() == 0 ? "none: no request succeeded"
                : fmt(s.throughput()) + " req/s succeeded");
        LoadSummary.Latency l = s.latency();
        line(out, "Latency (ms)", String.format(Locale.ROOT, "p50 %s   p90 %s   p99 %s   max %s   mean %s",
                fmt(l.p50()), fmt(l.p90()), fmt(l.p99()), fmt(l.max()), fmt(l.mean())));
        out.append('\n');
        if (s.pods().isEmpty()) {
            out.append("No response carried an X-Pod-Name header, so the spread over pods is unknown.\n");
            return out.toString();
        }
        int width = Math.max(3, s.pods().keySet().stream().mapToInt(String::length).max().orElse(3));
        double even = 100.0 / s.pods().size();
        out.append(String.format(Locale.ROOT, "%-" + width + "s %9s %8s %9s  %s%n", "Pod", "Requests", "Share",
                "vs even", ""));
        for (Map.Entry<String, Long> pod : s.pods().entrySet()) {
            double share = 100 * s.share(pod.getKey());
            out.append(String.format(Locale.ROOT, "%-" + width + "s %9d %7.1f%% %+8.1f%%  %s%n", pod.getKey(),
                    pod.getValue(), share, (share - even) / even * 100, "#".repeat((int) Math.round(share / 2))));
        }
        ChiSquare chi = s.evenness();
        if (chi != null) {
            out.append(String.format(Locale.ROOT, "%nEvenness: chi-square %.2f, %d degrees of freedom, p = %.4g%n  %s%n",
                    chi.statistic(), chi.degreesOfFreedom(), chi.pValue(),
                    chi.pValue() >= 0.01 ? "consistent with an even split"
                            : "NOT even: more than chance allows (keep-alive? a dead or slow replica?"
                            + " See docs/testing-load-balancing.md)"));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-14s %s%n", label, value));
    }

    static String fmt(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
    }
}

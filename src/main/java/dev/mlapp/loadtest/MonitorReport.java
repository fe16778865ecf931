package dev.mlapp.loadtest;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The monitor's table per snapshot and its CSV rows. */
public final class MonitorReport {

    public static final String CSV_HEADER = "time,pod,ready,restarts,cpu_m,cpu_request_m,cpu_limit_m,memory_bytes,"
            + "memory_request_bytes,memory_limit_bytes,requests_served,in_flight";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private MonitorReport() {
    }

    public static String table(ClusterSnapshot s) {
        StringBuilder out = new StringBuilder();
        double cpu = s.pods().stream().mapToDouble(PodStatus::cpuUsageMillis).filter(v -> v >= 0).sum();
        long memory = s.pods().stream().mapToLong(PodStatus::memoryUsageBytes).filter(v -> v >= 0).sum();
        out.append(String.format(Locale.ROOT, "%s UTC  replicas %d (%d ready)", CLOCK.format(s.time()),
                s.pods().size(), s.readyCount()));
        boolean cpuKnown = s.pods().stream().anyMatch(p -> p.cpuUsageMillis() >= 0);
        boolean memoryKnown = s.pods().stream().anyMatch(p -> p.memoryUsageBytes() >= 0);
        if (cpuKnown || memoryKnown) {
            out.append(String.format(Locale.ROOT, "  CPU %s  memory %s", cpuKnown ? Quantities.formatMillicores(cpu)
                    : "-", memoryKnown ? Quantities.formatBytes(memory) : "-"));
        }
        out.append('\n');
        int width = Math.max(4, s.pods().stream().mapToInt(p -> p.name().length()).max().orElse(4));
        out.append(String.format(Locale.ROOT, "%-" + width + "s %-5s %8s %22s %24s %9s %8s%n", "POD", "READY",
                "RESTARTS", "CPU use/req/limit", "MEMORY use/req/limit", "SERVED", "INFLIGHT"));
        for (PodStatus p : s.pods()) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s %-5s %8d %22s %24s %9s %8s%n", p.name(),
                    p.ready(), p.restarts(),
                    Quantities.formatMillicores(p.cpuUsageMillis()) + "/" + Quantities.formatMillicores(p.cpuRequestMillis())
                            + "/" + Quantities.formatMillicores(p.cpuLimitMillis()),
                    Quantities.formatBytes(p.memoryUsageBytes()) + "/" + Quantities.formatBytes(p.memoryRequestBytes())
                            + "/" + Quantities.formatBytes(p.memoryLimitBytes()),
                    count(p.requestsServed()), count(p.inFlight())));
        }
        return out.toString();
    }

    public static String csvRows(ClusterSnapshot s) {
        StringBuilder out = new StringBuilder();
        for (PodStatus p : s.pods()) {
            out.append(String.format(Locale.ROOT, "%s,%s,%b,%d,%s,%s,%s,%s,%s,%s,%s,%s%n", s.time(), p.name(), p.ready(),
                    p.restarts(), num(p.cpuUsageMillis()), num(p.cpuRequestMillis()), num(p.cpuLimitMillis()),
                    num(p.memoryUsageBytes()), num(p.memoryRequestBytes()), num(p.memoryLimitBytes()),
                    num(p.requestsServed()), num(p.inFlight())));
        }
        return out.toString();
    }

    private static String count(double value) {
        return value < 0 ? "-" : String.valueOf(Math.round(value));
    }

    private static String num(double value) {
        return value < 0 ? "" : value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}

package dev.mlapp.loadtest;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * One snapshot in the columns of the course's resource monitor ({@code resource_monitor.py}, its
 * {@code resource_usage.csv}), so that the course's analysis runs on {@code monitor --csv} unchanged: the number of
 * pods, and requests, limits and usage summed over their containers, CPU in cores and memory in KiB (the course's
 * "KB"). Pods are those the selector lists, terminating ones included, as the course's monitor counts them; usage
 * a pod does not have yet (a new pod before its second metrics scrape) counts as 0, as in the course's sum over the
 * Metrics API's items.
 */
public record ResourceTotals(int replicas, double cpuRequestCores, double memoryRequestKiB, double cpuLimitCores,
                             double memoryLimitKiB, double cpuUsageCores, double memoryUsageKiB) {

    public static final String CSV_HEADER =
            "time,n_replica,cpu_req_core,mem_req_KB,cpu_lim_core,mem_lim_KB,cpu_use_core,mem_use_KB";

    public static ResourceTotals of(ClusterSnapshot snapshot) {
        double cpuReq = 0;
        double memReq = 0;
        double cpuLim = 0;
        double memLim = 0;
        double cpuUse = 0;
        double memUse = 0;
        for (PodStatus p : snapshot.pods()) {
            cpuReq += known(p.cpuRequestMillis()) / 1000;
            memReq += known(p.memoryRequestBytes()) / 1024;
            cpuLim += known(p.cpuLimitMillis()) / 1000;
            memLim += known(p.memoryLimitBytes()) / 1024;
            cpuUse += known(p.cpuUsageMillis()) / 1000;
            memUse += known(p.memoryUsageBytes()) / 1024;
        }
        return new ResourceTotals(snapshot.pods().size(), cpuReq, memReq, cpuLim, memLim, cpuUse, memUse);
    }

    /** A CSV row; {@code seconds} since the monitor started, as the course's {@code time} column. */
    public String csvRow(double seconds) {
        return String.join(",", String.format(Locale.ROOT, "%.2f", seconds), String.valueOf(replicas),
                plain(cpuRequestCores), plain(memoryRequestKiB), plain(cpuLimitCores), plain(memoryLimitKiB),
                plain(cpuUsageCores), plain(memoryUsageKiB)) + "\n";
    }

    private static double known(double value) {
        return Math.max(0, value);
    }

    /** Up to nanocores / milli-KiB, without an exponent or trailing zeros: 0.5, 1048576, 0.253816279. */
    private static String plain(double value) {
        return new BigDecimal(String.format(Locale.ROOT, "%.9f", value)).stripTrailingZeros().toPlainString();
    }

    /**
     * The course's summary of a run: the mean of each column over the snapshots ("memory requested" and "memory
     * used" are the means of {@code mem_req_KB} and {@code mem_use_KB}).
     */
    public static final class Mean {
        private long snapshots;
        private double replicas;
        private double memoryRequestKiB;
        private double memoryUsageKiB;
        private double cpuRequestCores;
        private double cpuUsageCores;

        public void add(ResourceTotals t) {
            snapshots++;
            replicas += t.replicas();
            memoryRequestKiB += t.memoryRequestKiB();
            memoryUsageKiB += t.memoryUsageKiB();
            cpuRequestCores += t.cpuRequestCores();
            cpuUsageCores += t.cpuUsageCores();
        }

        public String summary() {
            if (snapshots == 0) {
                return "no snapshots";
            }
            double n = snapshots;
            return String.format(Locale.ROOT, "over %d snapshots: memory requested %.0f KB (%.0f MiB), memory used "
                            + "%.0f KB (%.0f MiB), mean of mem_req_KB and mem_use_KB; replicas %.2f, CPU requested "
                            + "%.3f cores, used %.3f cores", snapshots, memoryRequestKiB / n, memoryRequestKiB / n / 1024,
                    memoryUsageKiB / n, memoryUsageKiB / n / 1024, replicas / n, cpuRequestCores / n,
                    cpuUsageCores / n);
        }
    }
}

package dev.mlapp.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The CPU limit of the container this process runs in, from the cgroup files Kubernetes' {@code limits.cpu} becomes:
 * cgroup v2 {@code cpu.max} ("{@code <quota> <period>}" or "{@code max <period>}"), else cgroup v1
 * {@code cpu/cpu.cfs_quota_us} over {@code cpu/cpu.cfs_period_us} (quota −1 = unlimited). Without a limit it is the
 * number of processors the JVM sees. Thread pools are sized from it because TensorFlow otherwise starts a thread
 * per host core, and a pod limited to 2 cores on a 32-core node then spends its quota on contention and throttling.
 */
public final class CpuLimit {

    /** Where a container sees its own cgroup (with a cgroup namespace, the default since Kubernetes 1.25 on v2). */
    public static final Path DEFAULT_CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private CpuLimit() {
    }

    /** Cores this process may use here: the cgroup limit if any, else {@link Runtime#availableProcessors()}. */
    public static int detect() {
        return cores(DEFAULT_CGROUP_ROOT, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Whole cores to size thread pools for: the limit rounded down (at least 1) and never more than the machine has.
     * Rounding down, because a thread beyond the quota gets the whole pod throttled for the rest of each CFS period,
     * which shows up as latency spikes; an unused fraction of a core costs less.
     */
    public static int cores(Path cgroupRoot, int availableProcessors) {
        OptionalDouble limit = limit(cgroupRoot);
        if (limit.isEmpty()) {
            return availableProcessors;
        }
        return Math.max(1, Math.min(availableProcessors, (int) Math.floor(limit.getAsDouble())));
    }

    /** The quota in cores (e.g. 1.5), or empty when unlimited or no cgroup file is readable. */
    public static OptionalDouble limit(Path cgroupRoot) {
        String v2 = read(cgroupRoot.resolve("cpu.max"));
        if (v2 != null) {
            String[] parts = v2.split("\\s+");
            if (parts.length == 2 && !parts[0].equals("max")) {
                return ratio(parts[0], parts[1]);
            }
            return OptionalDouble.empty();
        }
        for (String controller : new String[] {"cpu", "cpu,cpuacct", "cpuacct,cpu"}) {
            String quota = read(cgroupRoot.resolve(controller).resolve("cpu.cfs_quota_us"));
            String period = read(cgroupRoot.resolve(controller).resolve("cpu.cfs_period_us"));
            if (quota != null && period != null) {
                return quota.startsWith("-") ? OptionalDouble.empty() : ratio(quota, period);
            }
        }
        return OptionalDouble.empty();
    }

    private static OptionalDouble ratio(String quota, String period) {
        try {
            double q = Double.parseDouble(quota);
            double p = Double.parseDouble(period);
            return q > 0 && p > 0 ? OptionalDouble.of(q / p) : OptionalDouble.empty();
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    /** A cgroup file's content, trimmed, or null when it cannot be read. */
    static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return null;
        }
    }
}

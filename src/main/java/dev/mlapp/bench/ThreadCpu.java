package dev.mlapp.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this process's threads by what they do, read from {@code /proc/self/task} (Linux; empty elsewhere).
 * Threads are told apart by their kernel names: the JVM names its threads after their Java names (15 characters),
 * and TensorFlow's pool threads inherit the name of the thread that created the first session, which the
 * benchmark names {@link #TENSORFLOW} (the server's loader thread, {@code model-loader}, counts too). Unlike
 * process CPU minus an estimate of the model's, this measures the server's own work directly, per stage.
 */
final class ThreadCpu {

    /** The name of the thread that creates TensorFlow's pools, so that their threads carry it. */
    static final String TENSORFLOW = "tensorflow";
    /** Linux's USER_HZ, the unit of utime and stime in /proc; 100 on every mainstream kernel. */
    private static final double MILLIS_PER_TICK = 10.0;

    /** The groups, in report order; the first four are the server's own work outside the model. */
    enum Group {
        DECODE_RESIZE("decode_resize"), HTTP("http"), BATCHING("batching"), OTHER("other"),
        MODEL("model"), CLIENT("client"), JIT("jit"), GC("gc");

        final String key;

        Group(String key) {
            this.key = key;
        }

        boolean outsideModel() {
            return ordinal() <= OTHER.ordinal();
        }
    }

    private ThreadCpu() {
    }

    /**
     * Milliseconds of CPU so far per group, over the threads alive now: a thread that ended takes its share with
     * it (the load generator's workers end with their run, so the client's figure is {@code client_cpu_ms_per_request},
     * not this group).
     */
    static Map<Group, Double> snapshot() {
        Map<Group, Double> millis = new TreeMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return millis;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
            for (Path task : dirs) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the parenthesised name: state is field 3, utime 14 and stime 15.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    millis.merge(group(name), ticks * MILLIS_PER_TICK, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        } catch (IOException e) {
            return new TreeMap<>();
        }
        return millis;
    }

    /** Per-item milliseconds by group between two snapshots, in report order. */
    static Map<Group, Double> perItem(Map<Group, Double> before, Map<Group, Double> after, long items) {
        Map<Group, Double> result = new LinkedHashMap<>();
        for (Group g : Group.values()) {
            double delta = after.getOrDefault(g, 0.0) - before.getOrDefault(g, 0.0);
            result.put(g, items > 0 ? Math.max(0, delta) / items : Double.NaN);
        }
        return result;
    }

    static double outsideModel(Map<Group, Double> perItem) {
        return perItem.entrySet().stream().filter(e -> e.getKey().outsideModel())
                .mapToDouble(Map.Entry::getValue).sum();
    }

    static Group group(String name) {
        if (name.equals(TENSORFLOW) || name.equals("model-loader")) {
            return Group.MODEL;
        }
        if (name.startsWith("preprocess")) {
            return Group.DECODE_RESIZE;
        }
        if (name.startsWith("ForkJoinPool.co")) {
            return Group.CLIENT; // the common pool: java.net.http's async work; the server runs none there
        }
        if (name.startsWith("ForkJoinPool") || name.startsWith("http-") || name.startsWith("HTTP-Dispatcher")
                || name.startsWith("server-timer")) {
            return Group.HTTP; // virtual threads run on the ForkJoinPool's carriers
        }
        if (name.startsWith("batch-")) {
            return Group.BATCHING;
        }
        if (name.startsWith("bench-") || name.startsWith("loadtest-") || name.startsWith("HttpClient")) {
            return Group.CLIENT;
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return Group.JIT;
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return Group.GC;
        }
        return Group.OTHER;
    }
}

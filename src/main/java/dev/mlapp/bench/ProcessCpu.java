package dev.mlapp.bench;

import java.lang.management.ManagementFactory;

/**
 * CPU time this whole process has used (every thread: TensorFlow's, the server's, the in-process client's, the
 * JIT's and GC's). Divided by the work done in a step it gives that step's CPU cost per item, which tells how
 * close to the raw rate end-to-end serving can get on the same cores.
 */
final class ProcessCpu {

    private ProcessCpu() {
    }

    /** @return nanoseconds of CPU time so far, or -1 when the JVM cannot tell */
    static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** @return milliseconds of CPU per item between two readings, or NaN when unknown */
    static double millisPerItem(long startNanos, long endNanos, long items) {
        return startNanos < 0 || endNanos < 0 || items <= 0 ? Double.NaN : (endNanos - startNanos) / 1e6 / items;
    }
}

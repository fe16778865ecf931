package dev.mlapp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory, from {@code /proc/self/status} (Linux); −1 where that file does not exist. */
final class Rss {

    private Rss() {
    }

    static long currentKilobytes() {
        return statusKilobytes("VmRSS:");
    }

    /** The highest resident set this process has had (model load included): {@code VmHWM}. */
    static long peakKilobytes() {
        return statusKilobytes("VmHWM:");
    }

    private static long statusKilobytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }
}

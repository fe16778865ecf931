package dev.mlapp.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory from {@code /proc/self/status}: now ({@code VmRSS}) and its peak ({@code VmHWM}),
 * which Linux resets when "5" is written to {@code /proc/self/clear_refs}. The peak is what an OOM kill is about,
 * and TensorFlow's activations are freed (and often unmapped) as soon as a run ends, so only the peak shows them.
 */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {
    }

    /** @return VmRSS in bytes, or -1 where /proc is not there */
    static long current() {
        return field("VmRSS:");
    }

    /** @return VmHWM (the peak since start or the last {@link #resetPeak()}) in bytes, or -1 */
    static long peak() {
        return field("VmHWM:");
    }

    /** @return whether the peak was reset to the current size (not where /proc/self/clear_refs is read-only) */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

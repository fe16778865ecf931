package dev.mlapp.inference;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The memory limit of the container this process runs in, from the cgroup files Kubernetes' {@code limits.memory}
 * becomes: cgroup v2 {@code memory.max} (bytes, or "{@code max}"), else cgroup v1
 * {@code memory/memory.limit_in_bytes} (unlimited is a huge page-rounded number near 2<sup>63</sup>). Going over
 * it gets the pod OOM-killed, not a Java OutOfMemoryError: TensorFlow's activations live outside the heap, so the
 * engine sizes its batches from this (see {@link MemoryBudget}).
 */
public final class MemoryLimit {

    /** cgroup v1 writes "unlimited" as LONG_MAX rounded down to a page; anything this large is no limit. */
    static final long V1_UNLIMITED = 1L << 62;

    private MemoryLimit() {
    }

    /** The limit of this process's container, or empty when there is none (or no cgroup file is readable). */
    public static OptionalLong detect() {
        return limit(CpuLimit.DEFAULT_CGROUP_ROOT);
    }

    /** The limit in bytes under {@code cgroupRoot}, or empty when unlimited or unreadable. */
    public static OptionalLong limit(Path cgroupRoot) {
        String v2 = CpuLimit.read(cgroupRoot.resolve("memory.max"));
        if (v2 != null) {
            return v2.equals("max") ? OptionalLong.empty() : bytes(v2);
        }
        String v1 = CpuLimit.read(cgroupRoot.resolve("memory").resolve("memory.limit_in_bytes"));
        if (v1 != null) {
            OptionalLong limit = bytes(v1);
            return limit.isPresent() && limit.getAsLong() >= V1_UNLIMITED ? OptionalLong.empty() : limit;
        }
        return OptionalLong.empty();
    }

    private static OptionalLong bytes(String text) {
        try {
            long value = Long.parseLong(text);
            return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}

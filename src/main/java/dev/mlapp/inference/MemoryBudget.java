package dev.mlapp.inference;

import java.util.OptionalLong;

/**
 * How large a batch the container's memory allows. A model run needs, beyond what the process already holds,
 * {@code perRunBytes} plus {@code perItemBytes} per item (measured at calibration: the peak at two batch sizes gives
 * the slope and the rest), and every worker may run a batch at once;
 * the process's peak must stay under {@link #MAX_FRACTION} of the limit, the rest being headroom for the heap's
 * growth, allocator slack and the page cache the kernel charges to the pod. Without a limit any batch fits.
 *
 * @param limitBytes   the container's memory limit ({@link MemoryLimit}), empty when unlimited
 * @param residentBytes what the process holds once the model is loaded and warmed up (VmRSS)
 * @param perRunBytes   extra memory a model run needs whatever its batch size
 * @param perItemBytes  extra memory each item of a batch adds while it runs
 */
public record MemoryBudget(OptionalLong limitBytes, long residentBytes, long perRunBytes, long perItemBytes) {

    /** The peak a replica may reach, as a fraction of its limit; the target for VGG16 at c=32. */
    public static final double MAX_FRACTION = 0.75;

    /** Bytes the process may reach at its peak: {@link #MAX_FRACTION} of the limit, or unbounded. */
    public long peakAllowance() {
        return limitBytes.isPresent() ? (long) (limitBytes.getAsLong() * MAX_FRACTION) : Long.MAX_VALUE;
    }

    /** The process's expected peak with {@code workers} batches of {@code batchSize} running at once. */
    public long expectedPeak(int batchSize, int workers) {
        return residentBytes + workers * (Math.max(0, perRunBytes) + (long) batchSize * Math.max(0, perItemBytes));
    }

    public boolean fits(int batchSize, int workers) {
        return limitBytes.isEmpty() || expectedPeak(batchSize, workers) <= peakAllowance();
    }

    /**
     * The largest batch size up to {@code wanted} that fits; at least 1 (a model that cannot run one item within
     * the allowance is reported by {@link #fits}, and serving one at a time is still its best chance).
     */
    public int largestBatch(int wanted, int workers) {
        int batch = Math.max(1, wanted);
        while (batch > 1 && !fits(batch, workers)) {
            batch--;
        }
        return batch;
    }

    /** One line for the log and {@code /api/v1/model}. */
    public String describe(int batchSize, int workers) {
        if (limitBytes.isEmpty()) {
            return String.format(java.util.Locale.ROOT, "no container memory limit; resident %d MiB, a run adds "
                    + "%.1f MiB + %.1f MiB per item", residentBytes >> 20, perRunBytes / 1048576.0,
                    perItemBytes / 1048576.0);
        }
        return String.format(java.util.Locale.ROOT, "limit %d MiB, peak allowed %d MiB (%.0f %%); expected peak: "
                        + "resident %d MiB + %d worker(s) × (%.1f MiB + batch %d × %.1f MiB per item) = %d MiB%s",
                limitBytes.getAsLong() >> 20, peakAllowance() >> 20, MAX_FRACTION * 100, residentBytes >> 20,
                workers, perRunBytes / 1048576.0, batchSize, perItemBytes / 1048576.0,
                expectedPeak(batchSize, workers) >> 20, fits(batchSize, workers) ? "" : ", OVER the allowance");
    }
}

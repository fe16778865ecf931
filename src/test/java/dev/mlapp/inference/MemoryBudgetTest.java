package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    private static final long MIB = 1L << 20;

    @Test
    void largestBatchKeepsTheExpectedPeakWithinThreeQuartersOfTheLimit() {
        // 1536 MiB limit → 1152 MiB allowed; 880 resident; 2 workers × (10 + 30 per item) → batch 4 fits, 5 not.
        MemoryBudget budget = new MemoryBudget(OptionalLong.of(1536 * MIB), 880 * MIB, 10 * MIB, 30 * MIB);
        assertEquals(1152 * MIB, budget.peakAllowance());
        assertEquals(4, budget.largestBatch(8, 2));
        assertTrue(budget.fits(4, 2));
        assertFalse(budget.fits(5, 2));
        assertTrue(budget.expectedPeak(4, 2) <= budget.peakAllowance());
    }

    @Test
    void neverBelowOneAndNeverAboveWhatWasAskedFor() {
        MemoryBudget tight = new MemoryBudget(OptionalLong.of(1000 * MIB), 900 * MIB, 0, 100 * MIB);
        assertEquals(1, tight.largestBatch(8, 2));
        assertFalse(tight.fits(1, 2), "even one item per worker is over the allowance, and says so");
        MemoryBudget roomy = new MemoryBudget(OptionalLong.of(64L << 30), 900 * MIB, 0, 10 * MIB);
        assertEquals(8, roomy.largestBatch(8, 2));
    }

    @Test
    void withoutALimitEveryBatchFits() {
        MemoryBudget unlimited = new MemoryBudget(OptionalLong.empty(), 900 * MIB, 0, 500 * MIB);
        assertEquals(32, unlimited.largestBatch(32, 2));
        assertTrue(unlimited.describe(32, 2).startsWith("no container memory limit"));
    }
}

package dev.mlapp.loadtest;

/**
 * Pearson's chi-square goodness-of-fit test against an even split: "could these per-pod counts come from a
 * balancer that gives every pod the same chance?". A small p-value (below 0.01, say) means the spread is
 * uneven beyond chance — the keep-alive trap produces p-values of 0.
 *
 * @param statistic        Σ (observed − expected)² / expected
 * @param degreesOfFreedom number of pods − 1
 * @param pValue           probability of a statistic at least this large under an even split
 */
public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {

    /** Tests the counts against equal expected counts; needs at least two categories and one observation. */
    public static ChiSquare evenness(long[] observed) {
        if (observed.length < 2) {
            throw new IllegalArgumentException("a chi-square test needs at least two categories");
        }
        long total = 0;
        for (long count : observed) {
            total += count;
        }
        if (total == 0) {
            throw new IllegalArgumentException("a chi-square test needs at least one observation");
        }
        double expected = (double) total / observed.length;
        double statistic = 0;
        for (long count : observed) {
            double difference = count - expected;
            statistic += difference * difference / expected;
        }
        int degreesOfFreedom = observed.length - 1;
        return new ChiSquare(statistic, degreesOfFreedom, survival(statistic, degreesOfFreedom));
    }

    /** P(X ≥ x) for X ~ χ²(k): the upper regularized gamma function Q(k/2, x/2). */
    public static double survival(double x, int degreesOfFreedom) {
        return Gamma.regularizedQ(degreesOfFreedom / 2.0, x / 2.0);
    }
}

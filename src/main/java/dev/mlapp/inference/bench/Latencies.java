package dev.mlapp.inference.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Latencies recorded from many threads at once, read back as percentiles in milliseconds. */
final class Latencies {

    private static final long MAX_TRACKED_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final Histogram histogram = new ConcurrentHistogram(MAX_TRACKED_NANOS, 3);

    void recordNanos(long nanos) {
        histogram.recordValue(Math.max(0, Math.min(nanos, MAX_TRACKED_NANOS)));
    }

    long count() {
        return histogram.getTotalCount();
    }

    double percentileMillis(double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e6;
    }

    double maxMillis() {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMaxValue() / 1e6;
    }
}

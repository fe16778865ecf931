package dev.mlapp.loadtest;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Request latencies, read back as percentiles in milliseconds: what the load test's summary and the {@code bench}
 * command report. Kept to the microsecond, three significant digits; not thread-safe (record after the run).
 */
public final class Latencies {

    /** Highest latency tracked exactly; larger values are clamped (a 1-hour request is a timeout anyway). */
    private static final long MAX_TRACKED_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Histogram histogram = new Histogram(MAX_TRACKED_MICROS, 3);

    public void recordNanos(long nanos) {
        histogram.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(0, nanos / 1000)));
    }

    public long count() {
        return histogram.getTotalCount();
    }

    /** NaN without a recorded latency, as are the others. */
    public double percentileMillis(double percentile) {
        return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    public double minMillis() {
        return count() == 0 ? Double.NaN : histogram.getMinValue() / 1000.0;
    }

    public double meanMillis() {
        return count() == 0 ? Double.NaN : histogram.getMean() / 1000.0;
    }

    public double maxMillis() {
        return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
    }
}

package dev.mlapp.inference;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * Decides, before any work is spent, whether a request can be answered in time. A request of several items is
 * admitted or refused as one: all its items take a place, or none does.
 *
 * <p>Two bounds. A hard one: at most {@code maxInFlight} items are anywhere between admission and their answer.
 * And, when a queue-delay budget is set, a latency one: a request is refused when the requests already admitted
 * would keep it waiting longer than the budget. The wait is estimated as (requests in flight) × (recent time between
 * completions): under load that interval is 1 ÷ throughput, whatever mix of decoding and batching produced it, so
 * the estimate follows the machine's real speed (a throttled pod, a bigger model) without tuning. A queue bounded by
 * count alone lets admitted requests wait capacity ÷ throughput, which is seconds for a slow model.
 */
final class Admission {

    /** Weight of the newest interval in the moving average: about the last ten completions count. */
    private static final double SMOOTHING = 0.1;

    private final int maxInFlight;
    private final long budgetNanos;
    private final Semaphore permits;
    private final LongSupplier clock;
    private final Object lock = new Object();
    private long lastCompletionNanos;
    private double intervalNanos = -1;

    /** @param queueDelayBudget zero for no latency bound (count only) */
    Admission(int maxInFlight, Duration queueDelayBudget) {
        this(maxInFlight, queueDelayBudget, System::nanoTime);
    }

    Admission(int maxInFlight, Duration queueDelayBudget, LongSupplier clock) {
        this.maxInFlight = maxInFlight;
        this.budgetNanos = queueDelayBudget.toNanos();
        this.permits = new Semaphore(maxInFlight);
        this.clock = clock;
        this.lastCompletionNanos = clock.getAsLong();
    }

    /**
     * @param items the request's items, each taking one place
     * @return the admission time, to pass to {@link #release(long, int)}; or -1 when the request is refused
     */
    long tryAdmit(int items) {
        if (!permits.tryAcquire(items)) {
            return -1;
        }
        if (budgetNanos > 0 && estimatedWaitNanos(items) > budgetNanos) {
            permits.release(items);
            return -1;
        }
        return clock.getAsLong();
    }

    /** The request of {@code items} admitted at {@code admittedNanos} has its answers (or failed). */
    void release(long admittedNanos, int items) {
        long now = clock.getAsLong();
        synchronized (lock) {
            // A lone request's interval is its own service time, not the idle time before it; a request's other
            // items complete with its first, at no interval.
            long interval = Math.min(now - lastCompletionNanos, now - admittedNanos);
            for (int i = 0; i < items; i++) {
                intervalNanos = intervalNanos < 0 ? interval : intervalNanos + SMOOTHING * (interval - intervalNanos);
                interval = 0;
            }
            lastCompletionNanos = now;
        }
        permits.release(items);
    }

    /**
     * Items ahead of a just admitted request of {@code items} × recent time per completion; zero before anything
     * completed.
     */
    long estimatedWaitNanos(int items) {
        int ahead = maxInFlight - permits.availablePermits() - items;
        synchronized (lock) {
            return intervalNanos < 0 ? 0 : (long) (Math.max(ahead, 0) * intervalNanos);
        }
    }

    int maxInFlight() {
        return maxInFlight;
    }

    long budgetNanos() {
        return budgetNanos;
    }
}

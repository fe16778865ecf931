package dev.mlapp.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a {@link LoadPlan} with one platform thread per worker and returns every request's {@link Sample}.
 * Workers take request numbers from one shared counter; in open loop request i is due at {@code i / rate},
 * and a worker that picks it up late still measures from the due time.
 */
public final class LoadGenerator {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final LoadPlan plan;
    private final byte[] requestBytes;
    private final AtomicLong nextIndex = new AtomicLong();
    private final LongAdder workerCpuNanos = new LongAdder();
    private long startNanos;
    private long stopNanos;

    private LoadGenerator(LoadPlan plan) {
        this.plan = plan;
        this.requestBytes = plan.request().render(plan.hostHeader(), plan.keepAlive());
    }

    /** Runs the plan to the end and returns the samples in request order. */
    public static LoadRun run(LoadPlan plan) throws InterruptedException {
        return new LoadGenerator(plan).execute();
    }

    private LoadRun execute() throws InterruptedException {
        List<List<Sample>> perWorker = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        startNanos = System.nanoTime();
        stopNanos = plan.duration() == null ? Long.MAX_VALUE : startNanos + plan.duration().toNanos();
        for (int i = 0; i < plan.concurrency(); i++) {
            List<Sample> samples = new ArrayList<>();
            perWorker.add(samples);
            Thread worker = Thread.ofPlatform().name("loadtest-" + i).daemon().unstarted(() -> work(samples));
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        long elapsed = System.nanoTime() - startNanos;
        List<Sample> all = new ArrayList<>();
        perWorker.forEach(all::addAll);
        all.sort(Comparator.comparingLong(Sample::index));
        return new LoadRun(plan, all, elapsed, THREADS.isCurrentThreadCpuTimeSupported() ? workerCpuNanos.sum() : -1);
    }

    private void work(List<Sample> samples) {
        RawHttpConnection connection = null;
        try {
            while (true) {
                long index = nextIndex.getAndIncrement();
                if (plan.requests() > 0 && index >= plan.requests()) {
                    return;
                }
                long intended;
                if (plan.openLoop()) {
                    intended = startNanos + (long) (index * 1e9 / plan.ratePerSecond());
                    if (intended >= stopNanos) {
                        return;
                    }
                    sleepUntil(intended);
                } else {
                    intended = System.nanoTime();
                    if (intended >= stopNanos) {
                        return;
                    }
                }
                Attempt attempt = send(connection, index, intended);
                connection = attempt.connectionAfter;
                samples.add(attempt.sample);
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
            workerCpuNanos.add(Math.max(0, THREADS.getCurrentThreadCpuTime()));
        }
    }

    private record Attempt(Sample sample, RawHttpConnection connectionAfter) {
    }

    private Attempt send(RawHttpConnection reusable, long index, long intended) {
        long sent = System.nanoTime();
        long deadline = sent + plan.timeout().toNanos();
        RawHttpConnection connection = reusable;
        boolean fresh = false;
        try {
            if (connection == null) {
                connection = RawHttpConnection.open(plan.host(), plan.port(), plan.timeout().toMillis());
                fresh = true;
            }
            RawResponse response;
            try {
                response = connection.exchange(requestBytes, deadline);
            } catch (IOException e) {
                if (fresh || e instanceof SocketTimeoutException || connection.bytesReadThisExchange() > 0) {
                    throw e;
                }
                // A kept-alive connection the server closed while idle: every HTTP client retries once on a new one.
                connection.close();
                connection = RawHttpConnection.open(plan.host(), plan.port(), remainingMillis(deadline));
                fresh = true;
                response = connection.exchange(requestBytes, deadline);
            }
            long done = System.nanoTime();
            Outcome outcome = response.status() >= 200 && response.status() < 300 ? Outcome.OK : Outcome.STATUS;
            Sample sample = new Sample(index, intended - startNanos, sent - startNanos, done - startNanos, outcome,
                    response.status(), response.podName(), fresh, null);
            if (!plan.keepAlive() || response.connectionClose()) {
                connection.close();
                connection = null;
            }
            return new Attempt(sample, connection);
        } catch (IOException | RuntimeException e) {
            long done = System.nanoTime();
            if (connection != null) {
                connection.close();
            }
            Outcome outcome = e instanceof SocketTimeoutException ? Outcome.TIMEOUT : Outcome.CONNECTION;
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            return new Attempt(new Sample(index, intended - startNanos, sent - startNanos, done - startNanos, outcome,
                    0, null, fresh || reusable == null, error), null);
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static void sleepUntil(long nanoTime) {
        long remaining;
        while ((remaining = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
        }
    }
}

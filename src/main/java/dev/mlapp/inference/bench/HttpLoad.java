package dev.mlapp.inference.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Real JPEG uploads over real HTTP, two ways. {@link #closedLoop}: {@code concurrency} clients, each sending its
 * next request when the previous answer arrives (what {@code siege -c N} does): measures throughput and latency at a
 * given concurrency. {@link #openLoop}: requests sent on a fixed schedule whatever the server does, latency counted
 * from the scheduled send time, so a server that falls behind cannot hide it (no coordinated omission): measures
 * behaviour under overload.
 */
final class HttpLoad {

    /** What one run saw. Latencies of 200 answers and of 503 answers are kept apart. */
    record Result(int concurrency, double offeredPerSecond, double seconds, Latencies ok, Latencies rejected,
                  Map<Integer, Long> statuses, long failures) {

        double okPerSecond() {
            return ok.count() / seconds;
        }

        /** 5xx answers other than 503, plus requests that got no answer at all. */
        long serverErrors() {
            long n = failures;
            for (Map.Entry<Integer, Long> e : statuses.entrySet()) {
                if (e.getKey() >= 500 && e.getKey() != 503) {
                    n += e.getValue();
                }
            }
            return n;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final HttpClient client;
    private final URI uri;
    private final byte[] jpeg;
    /** CPU the client's own threads used: it shares the cores with the server, so the benchmark subtracts it. */
    private final LongAdder clientCpuNanos = new LongAdder();

    HttpLoad(URI uri, byte[] jpeg) {
        ExecutorService callbacks = Executors.newCachedThreadPool(Thread.ofPlatform().name("bench-http-", 0)
                .daemon().factory());
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(task -> callbacks.execute(() -> measured(task)))
                .build();
        this.uri = uri;
        this.jpeg = jpeg;
    }

    private void measured(Runnable task) {
        long start = THREADS.getCurrentThreadCpuTime();
        try {
            task.run();
        } finally {
            clientCpuNanos.add(THREADS.getCurrentThreadCpuTime() - start);
        }
    }

    /**
     * CPU time used so far by the client: the sending threads, the callbacks run on its executor and the
     * HttpClient's selector thread (which it names {@code HttpClient-N-SelectorManager}).
     */
    long clientCpuNanos() {
        long selector = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("HttpClient-") && thread.getName().endsWith("SelectorManager")) {
                selector += Math.max(0, THREADS.getThreadCpuTime(thread.threadId()));
            }
        }
        return clientCpuNanos.sum() + selector;
    }

    private HttpRequest request() {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "image/jpeg").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build();
    }

    /** Runs until {@code duration} has passed or {@code maxRequests} were sent (0 = no cap). */
    Result closedLoop(int concurrency, Duration duration, long maxRequests) throws InterruptedException {
        Latencies ok = new Latencies();
        Latencies rejected = new Latencies();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        LongAdder failures = new LongAdder();
        AtomicLong sent = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            clients.add(Thread.ofPlatform().name("bench-client-" + c).start(() -> measured(() -> {
                while (System.nanoTime() < end && (maxRequests <= 0 || sent.incrementAndGet() <= maxRequests)) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = client.send(request(), HttpResponse.BodyHandlers.ofByteArray());
                        record(response.statusCode(), System.nanoTime() - t0, ok, rejected, statuses);
                    } catch (IOException e) {
                        failures.increment();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            })));
        }
        for (Thread t : clients) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(concurrency, 0, seconds, ok, rejected, snapshot(statuses), failures.sum());
    }

    /** Sends {@code ratePerSecond} requests per second for {@code duration}, then waits for the answers. */
    Result openLoop(double ratePerSecond, Duration duration) throws InterruptedException {
        Latencies ok = new Latencies();
        Latencies rejected = new Latencies();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        LongAdder failures = new LongAdder();
        LongAdder outstanding = new LongAdder();
        long intervalNanos = (long) (1e9 / ratePerSecond);
        long start = System.nanoTime();
        long count = (long) (ratePerSecond * duration.toNanos() / 1e9);
        for (long i = 0; i < count; i++) {
            long scheduled = start + i * intervalNanos;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            outstanding.increment();
            client.sendAsync(request(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
                long latency = System.nanoTime() - scheduled;
                if (error != null) {
                    failures.increment();
                } else {
                    record(response.statusCode(), latency, ok, rejected, statuses);
                }
                outstanding.decrement();
            });
        }
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (outstanding.sum() > 0 && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(0, ratePerSecond, seconds, ok, rejected, snapshot(statuses),
                failures.sum() + outstanding.sum());
    }

    private static void record(int status, long nanos, Latencies ok, Latencies rejected,
                               Map<Integer, LongAdder> statuses) {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status == 200) {
            ok.recordNanos(nanos);
        } else if (status == 503) {
            rejected.recordNanos(nanos);
        }
    }

    private static Map<Integer, Long> snapshot(Map<Integer, LongAdder> statuses) {
        Map<Integer, Long> out = new TreeMap<>();
        statuses.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}

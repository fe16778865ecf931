package dev.mlapp.bench;

import dev.mlapp.model.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical limit: how many items per second the model computes when ready-made batches are fed back to back,
 * with no HTTP, no preprocessing and no queue, by as many threads as the engine has workers (one worker's runs use
 * the cores through TensorFlow's intra-op pool; several workers with small pools run batches side by side).
 */
final class RawThroughput {

    /** @param cpuMillisPerItem process CPU time per item computed, all threads ({@link ProcessCpu}) */
    record Point(int batchSize, double itemsPerSecond, double millisPerBatch, double cpuMillisPerItem) {
    }

    private RawThroughput() {
    }

    static List<Point> measure(Model model, float[] item, List<Integer> batchSizes, Duration perSize, int feeders)
            throws InterruptedException {
        List<Point> points = new ArrayList<>();
        for (int size : batchSizes) {
            List<float[]> batch = Collections.nCopies(size, item);
            for (int i = 0; i < 2; i++) {
                model.predictItems(batch); // warm-up: first runs allocate TensorFlow's scratch memory
            }
            AtomicLong runs = new AtomicLong();
            long cpuStart = ProcessCpu.nanos();
            long start = System.nanoTime();
            long end = start + perSize.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int f = 0; f < feeders; f++) {
                threads.add(Thread.ofPlatform().name("raw-feeder-" + f).start(() -> {
                    int own = 0;
                    while (System.nanoTime() < end || own < 3) {
                        model.predictItems(batch);
                        own++;
                        runs.incrementAndGet();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long n = runs.get();
            points.add(new Point(size, n * size / seconds, seconds * 1000 * feeders / n,
                    ProcessCpu.millisPerItem(cpuStart, ProcessCpu.nanos(), n * size)));
        }
        return points;
    }

    static Point best(List<Point> points) {
        Point best = points.get(0);
        for (Point p : points) {
            if (p.itemsPerSecond() > best.itemsPerSecond()) {
                best = p;
            }
        }
        return best;
    }
}

package dev.mlapp.inference.bench;

import dev.mlapp.model.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The physical limit: how many items per second the model computes when one thread feeds it ready-made batches
 * back to back, with no HTTP, no preprocessing and no queue. TensorFlow's intra-op pool spreads each run over the
 * cores, so one feeding thread is enough to saturate them.
 */
final class RawThroughput {

    record Point(int batchSize, double itemsPerSecond, double millisPerBatch) {
    }

    private RawThroughput() {
    }

    static List<Point> measure(Model model, float[] item, List<Integer> batchSizes, Duration perSize) {
        List<Point> points = new ArrayList<>();
        for (int size : batchSizes) {
            List<float[]> batch = Collections.nCopies(size, item);
            for (int i = 0; i < 2; i++) {
                model.predictItems(batch); // warm-up: first runs allocate TensorFlow's scratch memory
            }
            long start = System.nanoTime();
            long end = start + perSize.toNanos();
            int runs = 0;
            long now;
            do {
                model.predictItems(batch);
                runs++;
                now = System.nanoTime();
            } while (now < end || runs < 3);
            double seconds = (now - start) / 1e9;
            points.add(new Point(size, runs * size / seconds, seconds * 1000 / runs));
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

package dev.mlapp.image;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Milliseconds per image for decode + RGB + resize on the shared photos (or any files given), single thread,
 * after warm-up. Reports wall time and this thread's CPU time: on a machine shared with other builds the CPU time
 * is the steadier measure of the work itself. Not a test: run it by hand, e.g.
 * {@code java -cp target/classes:target/test-classes dev.mlapp.image.PreprocessingBenchmark ../shared/images/*.jp*g}.
 */
public final class PreprocessingBenchmark {

    private static final int WARMUP = 40;
    private static final int ROUNDS = 100;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PreprocessingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String[] files = args.length > 0 ? args
                : new String[] {"../shared/images/food_test_image.jpeg", "../shared/images/food_noodles.jpg"};
        ImagePreprocessor preprocessor = new ImagePreprocessor(224, 224, Scaling.UNIT, 50_000_000L);
        BufferPool pool = new BufferPool(2, 1 << 24);
        ImageDecoder decoder = new ImageDecoder(50_000_000L, pool, new TfImageDecoder(), JpegScaling.EXACT);
        for (String file : files) {
            byte[] data = Files.readAllBytes(Path.of(file));
            for (int i = 0; i < WARMUP; i++) {
                preprocessor.toTensor(data);
            }
            double[] wall = new double[ROUNDS];
            double[] cpu = new double[ROUNDS];
            double[] decodeCpu = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                long start = System.nanoTime();
                long startCpu = THREADS.getCurrentThreadCpuTime();
                preprocessor.toTensor(data);
                cpu[i] = (THREADS.getCurrentThreadCpuTime() - startCpu) / 1e6;
                wall[i] = (System.nanoTime() - start) / 1e6;
                startCpu = THREADS.getCurrentThreadCpuTime();
                pool.release(decoder.decode(data, 224, 224).pixels().data());
                decodeCpu[i] = (THREADS.getCurrentThreadCpuTime() - startCpu) / 1e6;
            }
            Arrays.sort(wall);
            Arrays.sort(cpu);
            Arrays.sort(decodeCpu);
            System.out.printf("%s (%d bytes): decode+resize wall median %.1f ms (min %.1f); CPU median %.1f ms"
                    + " (min %.1f), of which decode+RGB CPU median %.1f ms%n", Path.of(file).getFileName(),
                    data.length, wall[ROUNDS / 2], wall[0], cpu[ROUNDS / 2], cpu[0], decodeCpu[ROUNDS / 2]);
        }
    }
}

package dev.mlapp.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Milliseconds per image for decode + RGB + resize, on the shared photos (or any files given), after warm-up,
 * single thread. Not a test: run it by hand, e.g.
 * {@code java -cp target/classes:target/test-classes dev.mlapp.image.PreprocessingBenchmark ../shared/images/*.jp*g}.
 */
public final class PreprocessingBenchmark {

    private static final int WARMUP = 40;
    private static final int ROUNDS = 100;

    private PreprocessingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String[] files = args.length > 0 ? args
                : new String[] {"../shared/images/food_test_image.jpeg", "../shared/images/food_noodles.jpg"};
        ImagePreprocessor preprocessor = new ImagePreprocessor(224, 224, Scaling.UNIT, 50_000_000L);
        for (String file : files) {
            byte[] data = Files.readAllBytes(Path.of(file));
            for (int i = 0; i < WARMUP; i++) {
                preprocessor.toTensor(data);
            }
            double[] total = new double[ROUNDS];
            double[] decode = new double[ROUNDS];
            ImageDecoder decoder = new ImageDecoder(50_000_000L, new BufferPool(2, 1 << 24));
            for (int i = 0; i < ROUNDS; i++) {
                long start = System.nanoTime();
                preprocessor.toTensor(data);
                total[i] = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                decoder.decode(data);
                decode[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(total);
            Arrays.sort(decode);
            System.out.printf("%s (%d bytes): decode+resize median %.1f ms (min %.1f, p90 %.1f);"
                    + " of which decode+RGB median %.1f ms (min %.1f)%n", Path.of(file).getFileName(), data.length,
                    total[ROUNDS / 2], total[0], total[ROUNDS * 9 / 10], decode[ROUNDS / 2], decode[0]);
        }
    }
}

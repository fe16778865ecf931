package dev.mlapp.bench;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImageLayout;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import dev.mlapp.image.TfImageDecoder;
import java.time.Duration;

/**
 * JPEG decode + resize + scale, timed on one thread, two ways: by TensorFlow's libjpeg-turbo at full size
 * ({@code exact}, PIL's result), and at a reduced DCT scale where the photo is large enough
 * ({@code --jpeg-scaling fast}, the server's default). Also reports how far the fast one differs from the exact one,
 * since a faster path that changes the model's input is not a free win.
 */
final class PreprocessingComparison {

    record Result(String image, int bytes, double exactMillis, double fastMillis, double fastMeanAbsDifference) {
    }

    private PreprocessingComparison() {
    }

    static Result measure(String name, byte[] jpeg, int height, int width, Duration perPath) throws ImageException {
        ImageLayout layout = ImageLayout.rgb(height, width);
        try (TfImageDecoder decoder = new TfImageDecoder()) {
            ImagePreprocessor exact = new ImagePreprocessor(layout, Scaling.UNIT, Long.MAX_VALUE, decoder,
                    JpegScaling.EXACT, 1);
            ImagePreprocessor fast = new ImagePreprocessor(layout, Scaling.UNIT, Long.MAX_VALUE, decoder,
                    JpegScaling.FAST, 1);
            float[] reference = exact.toTensor(jpeg);
            float[] scaled = fast.toTensor(jpeg);
            double fastSum = 0;
            for (int i = 0; i < reference.length; i++) {
                fastSum += Math.abs(scaled[i] - reference[i]);
            }
            return new Result(name, jpeg.length, time(() -> exact.toTensor(jpeg), perPath),
                    time(() -> fast.toTensor(jpeg), perPath), fastSum / reference.length);
        }
    }
    private interface Step {
        void run() throws ImageException;
    }

    private static double time(Step step, Duration duration) throws ImageException {
        for (int i = 0; i < 3; i++) {
            step.run();
        }
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        int n = 0;
        long now;
        do {
            step.run();
            n++;
            now = System.nanoTime();
        } while (now < end || n < 3);
        return (now - start) / 1e6 / n;
    }
}

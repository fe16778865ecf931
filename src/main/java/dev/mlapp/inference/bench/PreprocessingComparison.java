package dev.mlapp.inference.bench;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.Scaling;
import dev.mlapp.inference.TfImagePreprocessor;
import java.time.Duration;

/**
 * JPEG decode + resize + scale, timed on one thread: Java ({@code javax.imageio} + Java2D, what the server uses)
 * against TensorFlow's decode_jpeg + resize_bicubic kernels ({@link TfImagePreprocessor}). Also reports how far the
 * two tensors differ, since a faster path that changes the model's input is not a free win.
 */
final class PreprocessingComparison {

    record Result(String image, int bytes, double javaMillis, double tensorflowMillis, double meanAbsDifference) {
    }

    private PreprocessingComparison() {
    }

    static Result measure(String name, byte[] jpeg, int height, int width, Duration perPath) throws ImageException {
        ImagePreprocessor java = new ImagePreprocessor(height, width, Scaling.UNIT, Long.MAX_VALUE);
        try (TfImagePreprocessor tf = new TfImagePreprocessor(height, width, Scaling.UNIT, Long.MAX_VALUE,
                java::toTensor)) {
            float[] a = java.toTensor(jpeg);
            float[] b = tf.toTensor(jpeg);
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff += Math.abs(a[i] - b[i]);
            }
            double javaMillis = time(() -> java.toTensor(jpeg), perPath);
            double tfMillis = time(() -> tf.toTensor(jpeg), perPath);
            return new Result(name, jpeg.length, javaMillis, tfMillis, diff / a.length);
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

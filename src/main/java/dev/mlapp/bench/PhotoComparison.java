package dev.mlapp.bench;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImageLayout;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import dev.mlapp.image.TfImageDecoder;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Photo → tensor in each {@link JpegScaling} mode, as the server preprocesses (TensorFlow's decoders: libjpeg-turbo
 * for JPEGs, libpng for the screenshots), timed in CPU time of the one thread doing it, so the other work on a shared machine inflates the
 * figures less than wall time would; and how far the modes' results are apart: per photo the mean |Δ| of the
 * tensor, per model the top-1 agreement and top-5 overlap of its predictions over the photos.
 */
final class PhotoComparison {

    /**
     * CPU milliseconds per photo → tensor (median), per mode; for a JPEG also libjpeg-turbo's decode alone at the
     * scale each mode decodes (NaN otherwise), the floor under that mode; and the tensors' mean |Δ| between modes.
     */
    record Timing(PhotoSet.Photo photo, Map<JpegScaling, Double> millis, Map<JpegScaling, Double> decodeMillis,
                  double meanAbsDifference) {
    }

    /** What a model predicts from the two modes' tensors of the same photos. */
    record Agreement(String model, int photos, int sameTop1, double meanTop5Overlap, double meanAbsProbability) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int WARM_UP = 4;
    private static final int MIN_RUNS = 9;
    private static final int MAX_RUNS = 400;

    private PhotoComparison() {
    }

    /** @param cpuPerPath CPU time to spend timing each photo in each mode (at least {@value #MIN_RUNS} runs) */
    static List<Timing> time(List<PhotoSet.Photo> photos, ImageLayout layout, long cpuPerPathNanos)
            throws ImageException {
        List<Timing> timings = new ArrayList<>();
        try (Pipelines pipelines = new Pipelines(layout)) {
            float[] into = new float[layout.itemSize()];
            for (PhotoSet.Photo photo : photos) {
                Map<JpegScaling, Double> millis = new EnumMap<>(JpegScaling.class);
                Map<JpegScaling, Double> decode = new EnumMap<>(JpegScaling.class);
                for (JpegScaling mode : JpegScaling.values()) {
                    millis.put(mode, medianCpuMillis(() -> pipelines.of(mode).toTensor(photo.bytes(), into),
                            cpuPerPathNanos));
                    decode.put(mode, !photo.kind().contains("JPEG") ? Double.NaN : medianCpuMillis(
                            () -> pipelines.decodeOnly(photo, mode), cpuPerPathNanos));
                }
                timings.add(new Timing(photo, millis, decode, meanAbsDifference(
                        pipelines.exact.toTensor(photo.bytes()), pipelines.fast.toTensor(photo.bytes()))));
            }
        }
        return timings;
    }

    static Agreement agreement(String name, Model model, List<byte[]> photos) throws ImageException {
        ImageLayout layout = ImageLayout.of(model.info().inputShape()).orElseThrow(() ->
                new IllegalArgumentException(name + " does not take images"));
        int sameTop1 = 0;
        double overlap = 0;
        double probability = 0;
        try (Pipelines pipelines = new Pipelines(layout)) {
            for (byte[] photo : photos) {
                float[] exact = predict(model, pipelines.exact.toTensor(photo));
                float[] fast = predict(model, pipelines.fast.toTensor(photo));
                int[] exactTop = top(exact, 5);
                int[] fastTop = top(fast, 5);
                sameTop1 += exactTop[0] == fastTop[0] ? 1 : 0;
                Set<Integer> common = new HashSet<>();
                Arrays.stream(exactTop).forEach(common::add);
                overlap += Arrays.stream(fastTop).filter(common::contains).count() / (double) exactTop.length;
                probability += meanAbsDifference(exact, fast);
            }
        }
        return new Agreement(name, photos.size(), sameTop1, overlap / photos.size(), probability / photos.size());
    }

    private static float[] predict(Model model, float[] tensor) {
        return model.predict(new FloatArray(Model.batchShape(model.info().inputShape(), 1), tensor)).item(0);
    }

    /** The indices of the k largest values, largest first (all of them when there are fewer). */
    static int[] top(float[] values, int k) {
        return IntStream.range(0, values.length).boxed()
                .sorted((a, b) -> Float.compare(values[b], values[a])).limit(k).mapToInt(Integer::intValue).toArray();
    }

    private interface Step {
        void run() throws ImageException;
    }

    private static double medianCpuMillis(Step step, long budgetNanos) throws ImageException {
        for (int i = 0; i < WARM_UP; i++) {
            step.run();
        }
        double[] runs = new double[MAX_RUNS];
        int n = 0;
        long spent = 0;
        while (n < MAX_RUNS && (n < MIN_RUNS || spent < budgetNanos)) {
            long start = THREADS.getCurrentThreadCpuTime();
            step.run();
            long cpu = THREADS.getCurrentThreadCpuTime() - start;
            spent += cpu;
            runs[n++] = cpu / 1e6;
        }
        double[] measured = Arrays.copyOf(runs, n);
        Arrays.sort(measured);
        return n % 2 == 1 ? measured[n / 2] : (measured[n / 2 - 1] + measured[n / 2]) / 2;
    }

    private static double meanAbsDifference(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }

    /** The server's preprocessing in both modes, sharing one JPEG decoder. */
    private static final class Pipelines implements AutoCloseable {
        final TfImageDecoder decoder = new TfImageDecoder();
        final ImagePreprocessor exact;
        final ImagePreprocessor fast;
        final ImageLayout layout;

        Pipelines(ImageLayout layout) {
            this.layout = layout;
            exact = new ImagePreprocessor(layout, Scaling.UNIT, Long.MAX_VALUE, decoder, JpegScaling.EXACT, 1);
            fast = new ImagePreprocessor(layout, Scaling.UNIT, Long.MAX_VALUE, decoder, JpegScaling.FAST, 1);
        }

        /** Decoded pixels land here, grown as needed: the decode alone, without allocating its output. */
        private byte[] pixels = new byte[0];

        ImagePreprocessor of(JpegScaling mode) {
            return mode == JpegScaling.EXACT ? exact : fast;
        }

        /** libjpeg-turbo's decode alone, at the scale the mode picks (orientation ignored: it changes no work). */
        void decodeOnly(PhotoSet.Photo photo, JpegScaling mode) throws ImageException {
            int n = mode.denominator(photo.width(), photo.height(), layout.width(), layout.height());
            decoder.decode(photo.bytes(), n, size -> pixels.length >= size ? pixels : (pixels = new byte[size]));
        }

        @Override
        public void close() {
            decoder.close();
        }
    }
}

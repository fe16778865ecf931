package dev.mlapp.model.keras;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Npy;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.model.TfModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * Measures what importing costs: load time of the full-size Keras files, and batch-1 inference throughput of the
 * imported graph against the same network written by hand ({@link DirectNetworks}). Rounds alternate the two so
 * that noise from other processes on the machine hits both alike; medians are reported.
 *
 * <pre>java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.mlapp.model.keras.ImportBench \
 *     ../shared/models [rounds] [seconds-per-measurement]</pre>
 */
public final class ImportBench {

    private static final SessionOptions OPTIONS = new SessionOptions(2, 1);

    private ImportBench() {
    }

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args.length > 0 ? args[0] : "../shared/models");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
        System.out.printf("machine: %d cores visible, %s %s; rounds=%d, %.0fs per measurement, batch 1%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("java.version"), rounds, seconds);
        loadTimes(models.resolve("vgg16_food11_demo/model.h5"), rounds);
        throughput("vgg16", models.resolve("vgg16_food11_demo"), DirectNetworks::vgg16, rounds, seconds);
        throughput("mobilenetv2", models.resolve("mobilenetv2_food11_demo"), DirectNetworks::mobileNetV2, rounds,
                seconds);
    }

    private static void loadTimes(Path file, int rounds) {
        long init = System.nanoTime();
        try (Graph g = new Graph(); Session s = new Session(g)) {
            org.tensorflow.op.Ops.create(g).constant(1f);
        }
        System.out.printf("TensorFlow native initialisation (once per JVM, not part of import): %.0f ms%n",
                (System.nanoTime() - init) / 1e6);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            try (Model model = ModelLoader.load(file, OPTIONS)) {
                ms.add((System.nanoTime() - start) / 1e6);
                if (i == 0) {
                    System.out.println("vgg16 details: " + model.info().details());
                }
            }
        }
        System.out.printf("vgg16 load (sha256 + read + build graph + session): first (cold JVM) %.0f ms; later runs %s ms, median %.0f ms%n", ms.get(0),
                format(ms.subList(1, ms.size())), median(ms.subList(1, ms.size())));
    }

    private static void throughput(String name, Path dir, BiConsumer<Graph, Path> direct, int rounds, double seconds)
            throws Exception {
        Path file = dir.resolve("model.h5");
        FloatArray batch = Npy.read(dir.resolve("input.npy"));
        FloatArray one = new FloatArray(new long[] {1, 224, 224, 3}, batch.item(0));
        Graph graph = new Graph();
        direct.accept(graph, file);
        Session session = new Session(graph, OPTIONS.toConfigProto());
        ModelInfo info = new ModelInfo(name + "-direct", "direct", file.toString(), "-", new long[] {224, 224, 3},
                new long[] {11}, false, List.of());
        try (Model imported = ModelLoader.load(file, OPTIONS);
             Model handWritten = new TfModel(info, session, GraphBuilder.INPUT, GraphBuilder.OUTPUT, () -> {
                 session.close();
                 graph.close();
             })) {
            double delta = maxDelta(imported.predict(one), handWritten.predict(one));
            System.out.printf("%s: imported vs hand-written max |Δ| = %.2g%n", name, delta);
            List<Double> importedRates = new ArrayList<>();
            List<Double> directRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double[] pair = interleavedRates(imported, handWritten, one, seconds);
                importedRates.add(pair[0]);
                directRates.add(pair[1]);
                ratios.add(pair[0] / pair[1]);
            }
            System.out.printf("%s imported: %s inferences/s (median %.2f)%n", name, format(importedRates),
                    median(importedRates));
            System.out.printf("%s direct:   %s inferences/s (median %.2f)%n", name, format(directRates),
                    median(directRates));
            System.out.printf("%s ratio imported/direct per round: %s, median %.3f%n", name, format(ratios),
                    median(ratios));
        }
    }

    /**
     * Alternates single inferences of the two models and sums each one's time, so that load from other processes
     * (the machine is shared) falls on both equally instead of on whichever ran during a busy spell.
     */
    private static double[] interleavedRates(Model a, Model b, FloatArray input, double seconds) {
        for (int i = 0; i < 2; i++) {
            a.predict(input);
            b.predict(input);
        }
        long timeA = 0;
        long timeB = 0;
        int count = 0;
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            // swap which goes first each time, so neither gains from running right after the other
            boolean aFirst = count % 2 == 0;
            long t0 = System.nanoTime();
            (aFirst ? a : b).predict(input);
            long t1 = System.nanoTime();
            (aFirst ? b : a).predict(input);
            long t2 = System.nanoTime();
            timeA += aFirst ? t1 - t0 : t2 - t1;
            timeB += aFirst ? t2 - t1 : t1 - t0;
            count++;
        }
        return new double[] {count / (timeA / 1e9), count / (timeB / 1e9)};
    }

    private static double maxDelta(FloatArray a, FloatArray b) {
        double max = 0;
        for (int i = 0; i < a.data().length; i++) {
            max = Math.max(max, Math.abs(a.data()[i] - b.data()[i]));
        }
        return max;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String format(List<Double> values) {
        return Arrays.toString(values.stream().mapToDouble(Double::doubleValue)
                .mapToObj(v -> String.format("%.2f", v)).toArray());
    }
}

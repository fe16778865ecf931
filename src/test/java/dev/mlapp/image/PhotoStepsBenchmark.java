package dev.mlapp.image;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Where a JPEG → 224×224 tensor spends its CPU, step by step, in each {@link JpegScaling} mode: wrapping the upload
 * in a TensorFlow string tensor, TensorFlow's {@code DecodeJpeg} kernel (libjpeg-turbo) alone, copying its pixels
 * into a Java array, the bicubic resize with the float conversion, and the whole {@link ImagePreprocessor} call.
 * Medians of the thread's CPU time. Not a test: run it by hand on JPEG files (BENCHMARKS.md, "Fifth round"):
 * {@code java -cp "target/classes:target/test-classes:target/lib/*" dev.mlapp.image.PhotoStepsBenchmark a.jpg ...}
 */
public final class PhotoStepsBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int OUT = 224;

    private PhotoStepsBenchmark() {
    }

    private interface Step {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("runs", 21);
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = Scaling.UNIT.apply(v);
        }
        float[] into = new float[OUT * OUT * 3];
        try (Graph graph = new Graph(); TfImageDecoder decoder = new TfImageDecoder()) {
            Ops tf = Ops.create(graph);
            Placeholder<TString> jpeg = tf.withName("jpeg").placeholder(TString.class,
                    Placeholder.shape(Shape.scalar()));
            for (int n : new int[] {1, 2, 4, 8}) {
                tf.withName("rgb_" + n).image.decodeJpeg(jpeg, DecodeJpeg.channels(3L), DecodeJpeg.ratio((long) n),
                        DecodeJpeg.dctMethod("INTEGER_ACCURATE"));
            }
            try (Session session = new Session(graph, ConfigProto.newBuilder().setIntraOpParallelismThreads(1)
                    .setInterOpParallelismThreads(-1).build())) {
                BicubicResampler resampler = new BicubicResampler(1);
                System.out.printf("%-34s %2s %10s | %8s %8s %8s | %8s | %8s%n", "CPU ms (median of " + runs + ")",
                        "n", "decoded", "tstring", "kernel", "copy", "resize", "whole");
                for (String file : args) {
                    byte[] bytes = Files.readAllBytes(Path.of(file));
                    ImageHeaders headers = ImageHeaders.read(ImageFormat.JPEG, bytes);
                    for (JpegScaling mode : JpegScaling.values()) {
                        int n = mode.denominator(headers.declaredWidth(), headers.declaredHeight(), OUT, OUT);
                        String output = "rgb_" + n;
                        double wrap = median(runs, () -> {
                            try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes))) {
                                in.shape();
                            }
                        });
                        long[] shape = new long[2];
                        double kernel = median(runs, () -> {
                            try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes));
                                 Result r = session.runner().feed("jpeg", in).fetch(output).run()) {
                                shape[0] = r.get(0).shape().get(1);
                                shape[1] = r.get(0).shape().get(0);
                            }
                        }) - wrap;
                        int width = (int) shape[0];
                        int height = (int) shape[1];
                        byte[] pixels = new byte[width * height * 3];
                        double copy = median(runs, () -> {
                            try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes));
                                 Result r = session.runner().feed("jpeg", in).fetch(output).run()) {
                                ((TUint8) r.get(0)).asRawTensor().data().read(pixels, 0, pixels.length);
                            }
                        }) - wrap - kernel;
                        RgbImage image = RgbImage.oriented(pixels, width, height, 3, width * 3, 0, 1, 2,
                                headers.orientation());
                        double resize = median(runs, () -> resampler.resize(image, OUT, OUT, lut, into));
                        try (ImagePreprocessor pipeline = new ImagePreprocessor(ImageLayout.rgb(OUT, OUT),
                                Scaling.UNIT, Long.MAX_VALUE, decoder, mode, 1)) {
                            double whole = median(runs, () -> pipeline.toTensor(bytes, into));
                            System.out.printf("%-34s %2d %4d×%-5d | %8.2f %8.2f %8.2f | %8.2f | %8.2f%n",
                                    Path.of(file).getFileName() + " " + mode, n, width, height, wrap, kernel, copy,
                                    resize, whole);
                        }
                    }
                }
            }
        }
    }

    private static double median(int runs, Step step) throws Exception {
        for (int i = 0; i < 3; i++) {
            step.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = THREADS.getCurrentThreadCpuTime();
            step.run();
            ms[i] = (THREADS.getCurrentThreadCpuTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }
}

package dev.mlapp.image;

import java.util.Arrays;
import java.util.Random;

/**
 * Milliseconds per resize to 224×224 for a few typical input sizes, {@link BicubicResampler} against
 * {@link ReferenceBicubicResampler} (the straightforward form) in the same run, single thread, after warm-up.
 * Prints the best and the median of N runs. Not a test: run it by hand, e.g.
 * {@code java -cp "target/classes:target/test-classes" dev.mlapp.image.ResizeBenchmark [runs]}.
 */
public final class ResizeBenchmark {

    private static final int[][] SIZES = {{96, 96}, {384, 384}, {500, 375}, {1280, 1280}};
    private static final int OUT = 224;

    private ResizeBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = v / 255f;
        }
        BicubicResampler fast = new BicubicResampler();
        ReferenceBicubicResampler reference = new ReferenceBicubicResampler(new BufferPool(2, 1 << 24));
        System.out.printf("%-26s %22s %22s %16s%n", "resize to 224×224", "reference best/median", "fast best/median",
                "speed-up b/m");
        for (int[] size : SIZES) {
            for (String layout : new String[] {"RGB", "RGBA rotated 90°"}) {
                RgbImage image = photoLike(size[0], size[1], layout.startsWith("RGBA"));
                double[] before = time(() -> reference.resize(image, OUT, OUT, lut), runs);
                double[] after = time(() -> fast.resize(image, OUT, OUT, lut), runs);
                System.out.printf("%-26s %10.3f / %6.3f ms %10.3f / %6.3f ms %6.1f× / %4.1f×%n",
                        size[0] + "×" + size[1] + " " + layout, before[0], before[1], after[0], after[1],
                        before[0] / after[0], before[1] / after[1]);
            }
        }
    }

    /** {best, median} milliseconds of {@code runs} calls, after as many warm-up calls. */
    private static double[] time(Runnable resize, int runs) {
        for (int i = 0; i < Math.max(runs, 300); i++) {
            resize.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            resize.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[0], ms[runs / 2]};
    }

    /** Smooth gradients plus noise, stored as RGB or as RGBA on its side (a strided view like an EXIF-rotated PNG). */
    private static RgbImage photoLike(int width, int height, boolean rgbaRotated) {
        Random random = new Random(width * 31L + height);
        int channels = rgbaRotated ? 4 : 3;
        int storedWidth = rgbaRotated ? height : width;
        int storedHeight = rgbaRotated ? width : height;
        byte[] pixels = new byte[storedWidth * storedHeight * channels];
        for (int y = 0; y < storedHeight; y++) {
            for (int x = 0; x < storedWidth; x++) {
                int p = (y * storedWidth + x) * channels;
                for (int c = 0; c < channels; c++) {
                    pixels[p + c] = (byte) ((x * 200 / storedWidth + y * 55 / storedHeight + c * 40)
                            + random.nextInt(40));
                }
            }
        }
        return RgbImage.oriented(pixels, storedWidth, storedHeight, channels, storedWidth * channels, 0, 1, 2,
                rgbaRotated ? Orientation.ROTATE_90_CW : Orientation.NORMAL);
    }
}

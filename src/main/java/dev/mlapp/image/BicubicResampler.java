package dev.mlapp.image;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resizes 8-bit RGB exactly as PIL's {@code Image.resize(size, Image.BICUBIC)} ({@code ImagingResample}): a
 * separable two-pass convolution (horizontal, then vertical) with the cubic kernel a = −0.5 whose support is
 * widened by the downscale factor (antialiasing), coefficients normalised and turned into 22-bit fixed point, and
 * each pass rounded and clipped to 8 bits. Models trained on PIL-resized pictures see the same pixels here.
 *
 * <p>Both passes are written as sums of whole int arrays, {@code sums[i] += src[i] * w}, the form C2 vectorises:
 * it does not widen bytes in vector form, and it vectorises an int source only when indexed like the target (two
 * int arrays might be one, and at different offsets that would be a loop-carried dependence). Integer sums do not
 * depend on their order, so the result is PIL's to the bit ({@code BicubicResamplerExactnessTest} checks it
 * against the straightforward form). Thread-safe; working arrays are borrowed from a small pool per call.
 */
final class BicubicResampler {

    private static final double A = -0.5;
    private static final double SUPPORT = 2.0;
    /** 32 bits minus 8 for the pixel value and 2 for overshoot of the negative-lobed kernel, as in PIL. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    /** Input rows the horizontal pass handles at once; three times this is the length of its vectorised loops. */
    private static final int BLOCK_ROWS = 64;
    /** Working sets grown beyond this many ints (huge downscale ratios) are not kept. */
    private static final int MAX_POOLED_INTS = 1 << 20;

    /** Coefficient tables kept: a server sees a few picture sizes again and again, a crawler any number. */
    private static final int CACHED_COEFFICIENTS = 64;

    private final ArrayBlockingQueue<Scratch> scratchPool;
    /** By (input size, output size): computing them costs a few µs of doubles per request otherwise. */
    private final ConcurrentHashMap<Long, Coefficients> coefficientCache = new ConcurrentHashMap<>();

    BicubicResampler() {
        this(2);
    }

    /** @param concurrentResizes resizes that can run at once: one working set is kept for each */
    BicubicResampler(int concurrentResizes) {
        this.scratchPool = new ArrayBlockingQueue<>(concurrentResizes);
    }

    /** One output position's window into the input: first index, count, and fixed-point weights. */
    record Coefficients(int ksize, int[] first, int[] count, int[] weights) {
    }

    /** PIL's {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}. */
    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double total = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = cubic((x + xmin - center + 0.5) * ss);
                k[x] = w;
                total += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = total != 0.0 ? k[x] / total : k[x];
                weights[xx * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                        : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(ksize, first, count, weights);
    }

    /** {@link #coefficients}, computed once per size pair while the cache has room; never modified by callers. */
    private Coefficients cachedCoefficients(int inSize, int outSize) {
        Long key = ((long) inSize << 32) | outSize;
        Coefficients cached = coefficientCache.get(key);
        if (cached != null) {
            return cached;
        }
        Coefficients computed = coefficients(inSize, outSize);
        if (coefficientCache.size() < CACHED_COEFFICIENTS) {
            coefficientCache.putIfAbsent(key, computed);
        }
        return computed;
    }

    static double cubic(double x) {
        x = Math.abs(x);
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0.0;
    }

    /**
     * @param lut maps each resized 8-bit value to the float written out
     * @return {@code outHeight × outWidth × 3} floats, row-major RGB
     */
    float[] resize(RgbImage in, int outWidth, int outHeight, float[] lut) {
        float[] out = new float[outHeight * outWidth * 3];
        resize(in, outWidth, outHeight, lut, out);
        return out;
    }

    /** As {@link #resize(RgbImage, int, int, float[])}, into {@code out} (at least outHeight × outWidth × 3). */
    void resize(RgbImage in, int outWidth, int outHeight, float[] lut, float[] out) {
        if (out.length < outHeight * outWidth * 3) {
            throw new IllegalArgumentException("output holds " + out.length + " floats, not " + outHeight + "×"
                    + outWidth + "×3");
        }
        Coefficients horizontal = cachedCoefficients(in.width(), outWidth);
        Coefficients vertical = cachedCoefficients(in.height(), outHeight);
        // Only the input rows some output row reads need the horizontal pass.
        int firstRow = vertical.first()[0];
        int lastRow = vertical.first()[outHeight - 1] + vertical.count()[outHeight - 1];
        int rows = lastRow - firstRow;
        int stride = outWidth * 3;
        Affine affine = Affine.of(lut);
        // Horizontally resized rows live in a ring just deep enough for one block plus one output row's window:
        // the vertical pass consumes them as soon as their block is done, while they are still in cache.
        Scratch scratch = borrowScratch(horizontal.ksize(), vertical.ksize(),
                Math.min(rows, BLOCK_ROWS + vertical.ksize()), stride);
        try {
            int yy = 0;
            for (int y = 0; y < rows; y += BLOCK_ROWS) {
                int n = Math.min(BLOCK_ROWS, rows - y);
                horizontalBlock(in, horizontal, firstRow + y, n, outWidth, scratch, y);
                for (; yy < outHeight && vertical.first()[yy] + vertical.count()[yy] - firstRow <= y + n; yy++) {
                    verticalRow(scratch, vertical, yy, vertical.first()[yy] - firstRow, stride, lut, affine, out);
                }
            }
        } finally {
            returnScratch(scratch);
        }
    }

    /**
     * The horizontal pass over input rows {@code y .. y + n - 1}, into ring rows from {@code ringY}. Each input
     * column is first transposed into an int array holding its RGB for all the block's rows, just before the first
     * output pixel that reads it (so into a ring as deep as the filter); each output pixel is then a weighted sum
     * of a few such arrays, a vectorised loop (the direct form, a dot product along the row, is not).
     */
    private static void horizontalBlock(RgbImage in, Coefficients c, int y, int n, int outWidth, Scratch scratch,
                                        int ringY) {
        int[][] columns = scratch.columns;
        int mask = columns.length - 1;
        int[][] taps = scratch.taps;
        int[] sums = scratch.blockSums;
        int[][] blockRows = scratch.blockRows;
        for (int r = 0; r < n; r++) {
            blockRows[r] = scratch.rows[(ringY + r) % scratch.rows.length];
        }
        int length = n * 3;
        int next = c.first()[0];
        for (int xx = 0; xx < outWidth; xx++) {
            int first = c.first()[xx];
            int count = c.count()[xx];
            for (; next < first + count; next++) {
                transposeColumn(in, next, y, length, columns[next & mask]);
            }
            for (int t = 0; t < count; t++) {
                taps[t] = columns[(first + t) & mask];
            }
            weightedSum(taps, count, c.weights(), xx * c.ksize(), sums, length);
            for (int i = 0; i < length; i++) {
                sums[i] = clip8(sums[i]);
            }
            for (int r = 0, o = xx * 3, q = 0; r < n; r++, q += 3) {
                int[] row = blockRows[r];
                row[o] = sums[q];
                row[o + 1] = sums[q + 1];
                row[o + 2] = sums[q + 2];
            }
        }
    }

    /** Column {@code x} of the rows from {@code y} as RGB ints, {@code length / 3} rows. */
    private static void transposeColumn(RgbImage in, int x, int y, int length, int[] column) {
        byte[] data = in.data();
        int yStep = in.yStep();
        int r0 = in.redOffset();
        int g0 = in.greenOffset();
        int b0 = in.blueOffset();
        if (g0 == r0 + 1 && b0 == r0 + 2) {
            // RGB and RGBA, the usual layouts: constant offsets let C2 merge the three bounds checks into one.
            for (int q = 0, p = in.index(x, y) + r0; q < length; q += 3, p += yStep) {
                column[q] = data[p] & 0xFF;
                column[q + 1] = data[p + 1] & 0xFF;
                column[q + 2] = data[p + 2] & 0xFF;
            }
        } else {
            for (int q = 0, p = in.index(x, y); q < length; q += 3, p += yStep) {
                column[q] = data[p + r0] & 0xFF;
                column[q + 1] = data[p + g0] & 0xFF;
                column[q + 2] = data[p + b0] & 0xFF;
            }
        }
    }

    /** The vertical pass for output row {@code yy}, whose window starts at ring row {@code top} (unwrapped). */
    private static void verticalRow(Scratch scratch, Coefficients c, int yy, int top, int length, float[] lut,
                                    Affine affine, float[] out) {
        int[][] rows = scratch.rows;
        int[][] taps = scratch.taps;
        int[] sums = scratch.rowSums;
        int count = c.count()[yy];
        for (int t = 0; t < count; t++) {
            taps[t] = rows[(top + t) % rows.length];
        }
        weightedSum(taps, count, c.weights(), yy * c.ksize(), sums, length);
        int o = yy * length;
        if (affine != null && affine.divides()) {
            float divisor = affine.factor();
            float offset = affine.offset();
            for (int i = 0; i < length; i++) {
                out[o + i] = clip8(sums[i]) / divisor + offset;
            }
        } else if (affine != null) {
            float multiplier = affine.factor();
            float offset = affine.offset();
            for (int i = 0; i < length; i++) {
                out[o + i] = clip8(sums[i]) * multiplier + offset;
            }
        } else {
            for (int i = 0; i < length; i++) {
                out[o + i] = lut[clip8(sums[i])];
            }
        }
    }

    /**
     * {@code sums[i] = HALF + Σ weights[k + t] · sources[t][i]} for {@code i < length, t < count}, two sources per
     * sweep over {@code sums}. Each source is a separate array indexed like {@code sums}, which C2 vectorises.
     */
    private static void weightedSum(int[][] sources, int count, int[] weights, int k, int[] sums, int length) {
        int t;
        if (count >= 2) {
            int[] a = sources[0];
            int[] b = sources[1];
            int wa = weights[k];
            int wb = weights[k + 1];
            for (int i = 0; i < length; i++) {
                sums[i] = HALF + a[i] * wa + b[i] * wb;
            }
            t = 2;
        } else if (count == 1) {
            int[] a = sources[0];
            int wa = weights[k];
            for (int i = 0; i < length; i++) {
                sums[i] = HALF + a[i] * wa;
            }
            t = 1;
        } else {
            Arrays.fill(sums, 0, length, HALF);
            t = 0;
        }
        for (; t + 1 < count; t += 2) {
            int[] a = sources[t];
            int[] b = sources[t + 1];
            int wa = weights[k + t];
            int wb = weights[k + t + 1];
            for (int i = 0; i < length; i++) {
                sums[i] += a[i] * wa + b[i] * wb;
            }
        }
        if (t < count) {
            int[] a = sources[t];
            int wa = weights[k + t];
            for (int i = 0; i < length; i++) {
                sums[i] += a[i] * wa;
            }
        }
    }

    /**
     * A lut that is {@code v / divisor + offset} or {@code v * multiplier + offset} in float arithmetic for every v,
     * as {@link Scaling}'s are: the vertical pass then computes its output in vector form instead of looking each
     * value up (a gather C2 does not vectorise, the largest remaining cost for upscales). Checked against all 256
     * entries, so any other lut keeps being looked up and the output is the lut's to the bit either way.
     */
    record Affine(float factor, boolean divides, float offset) {

        static Affine of(float[] lut) {
            if (lut.length != 256) {
                return null;
            }
            float offset = lut[0];
            // Each estimate is within an ulp or two of the factor when there is one.
            float slope = (lut[255] - offset) / 255f;
            float divisor = 255f / (lut[255] - offset);
            for (int ulps = -3; ulps <= 3; ulps++) {
                for (Affine candidate : new Affine[] {new Affine(nudge(divisor, ulps), true, offset),
                        new Affine(nudge(slope, ulps), false, offset)}) {
                    if (candidate.matches(lut)) {
                        return candidate;
                    }
                }
            }
            return null;
        }

        float apply(int v) {
            return divides ? v / factor + offset : v * factor + offset;
        }

        private boolean matches(float[] lut) {
            for (int v = 0; v < 256; v++) {
                if (Float.floatToRawIntBits(lut[v]) != Float.floatToRawIntBits(apply(v))) {
                    return false;
                }
            }
            return true;
        }

        private static float nudge(float x, int ulps) {
            for (; ulps < 0; ulps++) {
                x = Math.nextDown(x);
            }
            for (; ulps > 0; ulps--) {
                x = Math.nextUp(x);
            }
            return x;
        }
    }

    /** Branch-free, so it vectorises. */
    private static int clip8(int fixedPoint) {
        return Math.max(0, Math.min(fixedPoint >> PRECISION_BITS, 255));
    }

    private Scratch borrowScratch(int columnWindow, int rowWindow, int ringRows, int rowLength) {
        Scratch scratch = scratchPool.poll();
        if (scratch == null) {
            scratch = new Scratch();
        }
        scratch.fit(columnWindow, rowWindow, ringRows, rowLength);
        return scratch;
    }

    private void returnScratch(Scratch scratch) {
        if (scratch.ints() <= MAX_POOLED_INTS) {
            scratchPool.offer(scratch);
        }
    }

    /** One resize's working arrays, grown as needed and kept between calls. */
    private static final class Scratch {
        /** Ring of transposed input columns; a power of two long, indexed by column & (length − 1). */
        int[][] columns = new int[0][];
        /** Ring of horizontally resized rows, indexed by row % length; any depth from the one asked for works. */
        int[][] rows = new int[0][];
        /** The rows of {@link #rows} the current block writes. */
        final int[][] blockRows = new int[BLOCK_ROWS][];
        final int[] blockSums = new int[BLOCK_ROWS * 3];
        int[] rowSums = new int[0];
        /** The sources of one weighted sum. */
        int[][] taps = new int[0][];

        void fit(int columnWindow, int rowWindow, int ringRows, int rowLength) {
            if (columns.length < columnWindow) {
                columns = new int[Integer.highestOneBit(Math.max(1, columnWindow - 1)) << 1][BLOCK_ROWS * 3];
            }
            if (rows.length < ringRows || rowSums.length < rowLength) {
                int length = Math.max(rowLength, rowSums.length);
                rows = new int[Math.max(ringRows, rows.length)][length];
                rowSums = new int[length];
            }
            if (taps.length < Math.max(columnWindow, rowWindow)) {
                taps = new int[Math.max(columnWindow, rowWindow)][];
            }
        }

        long ints() {
            return (long) columns.length * BLOCK_ROWS * 3 + (long) rows.length * rowSums.length;
        }
    }
}

package dev.mlapp.image;

/**
 * Resizes 8-bit RGB exactly as PIL's {@code Image.resize(size, Image.BICUBIC)} ({@code ImagingResample}): a
 * separable two-pass convolution (horizontal, then vertical) with the cubic kernel a = −0.5 whose support is
 * widened by the downscale factor (antialiasing), coefficients normalised and turned into 22-bit fixed point, and
 * each pass rounded and clipped to 8 bits. Models trained on PIL-resized pictures see the same pixels here.
 * Thread-safe; intermediate rows come from a {@link BufferPool}.
 */
final class BicubicResampler {

    private static final double A = -0.5;
    private static final double SUPPORT = 2.0;
    /** 32 bits minus 8 for the pixel value and 2 for overshoot of the negative-lobed kernel, as in PIL. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    /** Input rows the horizontal pass handles at once: the length of its vectorised inner loop, over 3. */
    private static final int BLOCK_ROWS = 64;

    private final BufferPool pool;

    BicubicResampler(BufferPool pool) {
        this.pool = pool;
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
        Coefficients horizontal = coefficients(in.width(), outWidth);
        Coefficients vertical = coefficients(in.height(), outHeight);
        // Only the input rows some output row reads need the horizontal pass.
        int firstRow = vertical.first()[0];
        int lastRow = vertical.first()[outHeight - 1] + vertical.count()[outHeight - 1];
        int rows = lastRow - firstRow;
        int stride = outWidth * 3;
        // Horizontally resized rows live in a ring just deep enough for one block plus one output row's window:
        // the vertical pass consumes them as soon as their block is done, while they are still in cache.
        int[][] ring = new int[Math.min(rows, BLOCK_ROWS + vertical.ksize())][stride];
        int[][] columns = new int[in.width()][BLOCK_ROWS * 3];
        int[] blockSums = new int[BLOCK_ROWS * 3];
        int[][] blockRows = new int[BLOCK_ROWS][];
        int[] rowSums = new int[stride];
        float[] out = new float[outHeight * stride];
        int yy = 0;
        for (int y = 0; y < rows; y += BLOCK_ROWS) {
            int n = Math.min(BLOCK_ROWS, rows - y);
            horizontalBlock(in, horizontal, firstRow + y, n, outWidth, columns, blockSums, ring, y, blockRows);
            for (; yy < outHeight && vertical.first()[yy] + vertical.count()[yy] - firstRow <= y + n; yy++) {
                verticalRow(ring, vertical, yy, vertical.first()[yy] - firstRow, rowSums, lut, out, yy * stride);
            }
        }
        return out;
    }

    /**
     * The horizontal pass over input rows {@code y .. y + n - 1}, written to ring rows {@code (ringY + r) % ring.length}.
     * The block is first transposed into one int array per input column holding that column's RGB for all the
     * block's rows; each output pixel is then a weighted sum of a few such arrays, a loop over contiguous ints
     * that C2 vectorises (a dot product along the row, the direct form, does not vectorise).
     */
    private static void horizontalBlock(RgbImage in, Coefficients c, int y, int n, int outWidth, int[][] columns,
                                        int[] sums, int[][] ring, int ringY, int[][] blockRows) {
        byte[] data = in.data();
        int width = in.width();
        int xStep = in.xStep();
        int r0 = in.redOffset();
        int g0 = in.greenOffset();
        int b0 = in.blueOffset();
        int yStep = in.yStep();
        int length = n * 3;
        // Column by column: each column's array is written sequentially, and the few dozen input cache lines a
        // column touches are reused by the next ~20 columns.
        for (int x = 0, start = in.index(0, y); x < width; x++, start += xStep) {
            int[] column = columns[x];
            for (int q = 0, p = start; q < length; q += 3, p += yStep) {
                column[q] = data[p + r0] & 0xFF;
                column[q + 1] = data[p + g0] & 0xFF;
                column[q + 2] = data[p + b0] & 0xFF;
            }
        }
        for (int r = 0; r < n; r++) {
            blockRows[r] = ring[(ringY + r) % ring.length];
        }
        int ksize = c.ksize();
        int[] weights = c.weights();
        for (int xx = 0; xx < outWidth; xx++) {
            weightedSum(columns, c.first()[xx], c.count()[xx], weights, xx * ksize, sums, length);
            for (int r = 0, o = xx * 3, q = 0; r < n; r++, q += 3) {
                int[] row = blockRows[r];
                row[o] = sums[q];
                row[o + 1] = sums[q + 1];
                row[o + 2] = sums[q + 2];
            }
        }
    }

    /** The vertical pass for output row {@code yy}, whose window starts at ring row {@code top} (unwrapped). */
    private static void verticalRow(int[][] ring, Coefficients c, int yy, int top, int[] sums, float[] lut,
                                    float[] out, int o) {
        int length = sums.length;
        int count = c.count()[yy];
        int[] weights = c.weights();
        int k = yy * c.ksize();
        if (count == 0) {
            java.util.Arrays.fill(sums, HALF);
        } else {
            int[] src = ring[top % ring.length];
            int w = weights[k];
            for (int i = 0; i < length; i++) {
                sums[i] = HALF + src[i] * w;
            }
            for (int t = 1; t < count; t++) {
                src = ring[(top + t) % ring.length];
                w = weights[k + t];
                for (int i = 0; i < length; i++) {
                    sums[i] += src[i] * w;
                }
            }
        }
        for (int i = 0; i < length; i++) {
            out[o + i] = lut[clip8(sums[i])];
        }
    }

    /**
     * {@code sums[i] = clip8(HALF + Σ weights[k + t] · rows[first + t][i])} for {@code i < length}. Each row is a
     * separate array indexed like {@code sums}: C2 cannot prove two int arrays distinct, and with equal indices
     * aliasing would not matter, so it vectorises the loop.
     */
    private static void weightedSum(int[][] rows, int first, int count, int[] weights, int k, int[] sums,
                                    int length) {
        if (count == 0) {
            java.util.Arrays.fill(sums, 0, length, HALF);
        } else {
            int[] src = rows[first];
            int w = weights[k];
            for (int i = 0; i < length; i++) {
                sums[i] = HALF + src[i] * w;
            }
            for (int t = 1; t < count; t++) {
                src = rows[first + t];
                w = weights[k + t];
                for (int i = 0; i < length; i++) {
                    sums[i] += src[i] * w;
                }
            }
        }
        for (int i = 0; i < length; i++) {
            sums[i] = Math.max(0, Math.min(sums[i] >> PRECISION_BITS, 255));
        }
    }

    private static int clip8(int fixedPoint) {
        int v = fixedPoint >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }
}

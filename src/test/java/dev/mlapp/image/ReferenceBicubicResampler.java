package dev.mlapp.image;

/**
 * The straightforward form of {@link BicubicResampler} that the optimised one must match bit for bit: this is the
 * resampler's code as it was before it was tuned for speed, kept verbatim (only renamed; the coefficients, which
 * the tuning did not touch, come from {@link BicubicResampler#coefficients}) so that
 * {@code BicubicResamplerExactnessTest} can compare the two on random pictures. Do not optimise this copy.
 *
 * <p>Resizes 8-bit RGB exactly as PIL's {@code Image.resize(size, Image.BICUBIC)} ({@code ImagingResample}): a
 * separable two-pass convolution (horizontal, then vertical) with the cubic kernel a = −0.5 whose support is
 * widened by the downscale factor (antialiasing), coefficients normalised and turned into 22-bit fixed point, and
 * each pass rounded and clipped to 8 bits. Models trained on PIL-resized pictures see the same pixels here.
 * Thread-safe; intermediate rows come from a {@link BufferPool}.
 */
final class ReferenceBicubicResampler {

    /** 32 bits minus 8 for the pixel value and 2 for overshoot of the negative-lobed kernel, as in PIL. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private final BufferPool pool;

    ReferenceBicubicResampler(BufferPool pool) {
        this.pool = pool;
    }

    /**
     * @param lut maps each resized 8-bit value to the float written out
     * @return {@code outHeight × outWidth × 3} floats, row-major RGB
     */
    float[] resize(RgbImage in, int outWidth, int outHeight, float[] lut) {
        BicubicResampler.Coefficients horizontal = BicubicResampler.coefficients(in.width(), outWidth);
        BicubicResampler.Coefficients vertical = BicubicResampler.coefficients(in.height(), outHeight);
        // Only the input rows some output row reads need the horizontal pass.
        int firstRow = vertical.first()[0];
        int lastRow = vertical.first()[outHeight - 1] + vertical.count()[outHeight - 1];
        int rows = lastRow - firstRow;
        int tempStride = outWidth * 3;
        byte[] temp = pool.acquire(rows * tempStride);
        try {
            horizontalPass(in, horizontal, firstRow, rows, outWidth, temp);
            return verticalPass(temp, tempStride, vertical, firstRow, outWidth, outHeight, lut);
        } finally {
            pool.release(temp);
        }
    }

    private static void horizontalPass(RgbImage in, BicubicResampler.Coefficients c, int firstRow, int rows,
                                       int outWidth, byte[] temp) {
        byte[] data = in.data();
        int width = in.width();
        int xStep = in.xStep();
        int r0 = in.redOffset();
        int g0 = in.greenOffset();
        int b0 = in.blueOffset();
        int ksize = c.ksize();
        int[] weights = c.weights();
        int[] first = c.first();
        int[] count = c.count();
        // Each input row is first unpacked into a plain RGB int row: whatever the view's strides (orientation,
        // grey, alpha), the convolution then runs over contiguous memory.
        int[] row = new int[width * 3];
        int t = 0;
        for (int y = 0; y < rows; y++) {
            for (int x = 0, p = in.index(0, firstRow + y), q = 0; x < width; x++, p += xStep, q += 3) {
                row[q] = data[p + r0] & 0xFF;
                row[q + 1] = data[p + g0] & 0xFF;
                row[q + 2] = data[p + b0] & 0xFF;
            }
            for (int xx = 0; xx < outWidth; xx++) {
                int k = xx * ksize;
                int p = first[xx] * 3;
                int end = p + count[xx] * 3;
                int r = HALF;
                int g = HALF;
                int b = HALF;
                for (; p < end; p += 3, k++) {
                    int w = weights[k];
                    r += row[p] * w;
                    g += row[p + 1] * w;
                    b += row[p + 2] * w;
                }
                temp[t++] = (byte) clip8(r);
                temp[t++] = (byte) clip8(g);
                temp[t++] = (byte) clip8(b);
            }
        }
    }

    private static float[] verticalPass(byte[] temp, int stride, BicubicResampler.Coefficients c, int firstRow,
                                        int outWidth, int outHeight, float[] lut) {
        float[] out = new float[outHeight * outWidth * 3];
        int ksize = c.ksize();
        int[] weights = c.weights();
        int o = 0;
        for (int yy = 0; yy < outHeight; yy++) {
            int count = c.count()[yy];
            int k = yy * ksize;
            int top = (c.first()[yy] - firstRow) * stride;
            for (int i = 0; i < stride; i++) {
                int s = HALF;
                int p = top + i;
                for (int y = 0; y < count; y++, p += stride) {
                    s += (temp[p] & 0xFF) * weights[k + y];
                }
                out[o++] = lut[clip8(s)];
            }
        }
        return out;
    }

    private static int clip8(int fixedPoint) {
        int v = fixedPoint >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }
}

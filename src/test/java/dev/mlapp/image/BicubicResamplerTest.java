package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BicubicResamplerTest {

    private static final float[] IDENTITY = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            IDENTITY[i] = i;
        }
    }

    @ParameterizedTest
    @CsvSource({"1280,224", "500,224", "375,224", "224,224", "50,224", "7,3", "3,7", "1,5", "5,1"})
    void weightsOfEveryOutputPositionSumToOne(int in, int out) {
        BicubicResampler.Coefficients c = BicubicResampler.coefficients(in, out);
        for (int i = 0; i < out; i++) {
            long sum = 0;
            for (int k = 0; k < c.count()[i]; k++) {
                sum += c.weights()[i * c.ksize() + k];
            }
            // Each weight is rounded separately to 22 bits: the sum is 1.0 within a rounding step per tap.
            assertTrue(Math.abs(sum - (1 << 22)) <= c.ksize(), "position " + i + " sums to " + sum);
            assertTrue(c.first()[i] >= 0 && c.first()[i] + c.count()[i] <= in, "window inside the input");
        }
    }

    /**
     * Against a straightforward floating-point reference of the same filter (antialiased cubic, a = −0.5, support
     * 2 × downscale factor, weights normalised) with no intermediate rounding. PIL's passes each round to 8 bits:
     * the first pass's half-step error is carried through the second pass's weights (Σ|w| slightly above 1 because
     * of the negative lobes), the second pass adds its own half step. Inputs stay in 20..230 so that neither pass
     * clips an overshoot.
     */
    @ParameterizedTest
    @CsvSource({"97,61,150,120", "120,90,120,90", "40,30,224,160", "640,480,33,17", "20,300,50,10"})
    void agreesWithAFloatingPointConvolutionWithinOneStep(int inW, int inH, int outW, int outH) {
        Random random = new Random(inW * 1000L + inH);
        byte[] pixels = new byte[inW * inH * 3];
        for (int i = 0; i < pixels.length; i++) {
            int x = (i / 3) % inW;
            int y = (i / 3) / inW;
            // smooth gradients plus noise: exercises both flat regions and edges
            pixels[i] = (byte) (20 + (x * 80 / inW + y * 60 / inH) + random.nextInt(70));
        }
        RgbImage image = RgbImage.oriented(pixels, inW, inH, 3, inW * 3, 0, 1, 2, Orientation.NORMAL);
        float[] ours = new BicubicResampler().resize(image, outW, outH, IDENTITY);
        double[][] h = weights(inW, outW);
        double[][] v = weights(inH, outH);
        for (int c = 0; c < 3; c++) {
            double[][] rows = new double[inH][outW]; // horizontal pass, kept in full precision
            for (int y = 0; y < inH; y++) {
                for (int xx = 0; xx < outW; xx++) {
                    for (int x = 0; x < inW; x++) {
                        rows[y][xx] += h[xx][x] * (pixels[(y * inW + x) * 3 + c] & 0xFF);
                    }
                }
            }
            for (int yy = 0; yy < outH; yy++) {
                double tolerance = 0.5 + 0.5 * Arrays.stream(v[yy]).map(Math::abs).sum() + 1e-9;
                for (int xx = 0; xx < outW; xx++) {
                    double s = 0;
                    for (int y = 0; y < inH; y++) {
                        s += v[yy][y] * rows[y][xx];
                    }
                    double expected = Math.max(0, Math.min(255, s));
                    float actual = ours[(yy * outW + xx) * 3 + c];
                    assertTrue(Math.abs(actual - expected) <= tolerance,
                            "(" + xx + "," + yy + ") channel " + c + ": " + actual + " vs " + expected);
                }
            }
        }
    }

    /** Dense weight matrix [output][input] from the textbook definition. */
    private static double[][] weights(int in, int out) {
        double scale = (double) in / out;
        double stretch = Math.max(1, scale);
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            double center = (o + 0.5) * scale;
            double total = 0;
            for (int i = 0; i < in; i++) {
                double distance = Math.abs(i + 0.5 - center) / stretch;
                w[o][i] = distance < 2 ? keys(distance) : 0;
                total += w[o][i];
            }
            for (int i = 0; i < in; i++) {
                w[o][i] /= total;
            }
        }
        return w;
    }

    /** Keys' cubic convolution kernel with a = −0.5, written out from its definition. */
    private static double keys(double d) {
        double a = -0.5;
        return d <= 1 ? (a + 2) * d * d * d - (a + 3) * d * d + 1 : a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a;
    }

    /** The scalings' luts are computed in vector form rather than looked up; other luts must still be looked up. */
    @Test
    void recognisesTheScalingsLutsAsAffineAndNothingElse() {
        for (Scaling scaling : Scaling.values()) {
            float[] lut = new float[256];
            for (int v = 0; v < 256; v++) {
                lut[v] = scaling.apply(v);
            }
            BicubicResampler.Affine affine = BicubicResampler.Affine.of(lut);
            assertNotNull(affine, scaling.name());
            for (int v = 0; v < 256; v++) {
                assertEquals(lut[v], affine.apply(v), scaling + " at " + v);
            }
        }
        float[] multiplied = new float[256];
        for (int v = 0; v < 256; v++) {
            multiplied[v] = v * (1f / 255f);
        }
        assertNotNull(BicubicResampler.Affine.of(multiplied));
        float[] almost = IDENTITY.clone();
        almost[200] = Math.nextUp(almost[200]);
        assertNull(BicubicResampler.Affine.of(almost));
        float[] gamma = new float[256];
        for (int v = 0; v < 256; v++) {
            gamma[v] = (float) Math.pow(v / 255.0, 2.2);
        }
        assertNull(BicubicResampler.Affine.of(gamma));
    }

    @ParameterizedTest
    @CsvSource({"1,1,224,224", "3,2,224,224", "1000,10,224,224"})
    void flatPicturesStayFlat(int inW, int inH, int outW, int outH) {
        byte[] pixels = new byte[inW * inH * 3];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = (byte) 200;
            pixels[i + 1] = 0;
            pixels[i + 2] = (byte) 255;
        }
        RgbImage image = RgbImage.oriented(pixels, inW, inH, 3, inW * 3, 0, 1, 2, Orientation.NORMAL);
        float[] out = new BicubicResampler().resize(image, outW, outH, IDENTITY);
        for (int i = 0; i < out.length; i += 3) {
            assertEquals(200f, out[i]);
            assertEquals(0f, out[i + 1]);
            assertEquals(255f, out[i + 2]);
        }
    }
}

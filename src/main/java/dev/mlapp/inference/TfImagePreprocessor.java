package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.Scaling;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * JPEG decode, antialiased bicubic resize and scaling done by TensorFlow's own kernels (libjpeg-turbo,
 * ScaleAndTranslate) instead of
 * {@code javax.imageio} and Java2D: about 5× faster on this project's sample photos (see BENCHMARKS.md), which
 * matters because decoding costs more CPU than a small model's run. Large photos are decoded at 1/2, 1/4 or 1/8
 * scale inside the JPEG decoder (DCT scaling, the {@code ratio} attribute) when that still leaves at least the
 * target size, which skips most of the decoding work for a phone photo. Anything this path does not handle the
 * same way (other formats, JPEGs whose EXIF orientation asks for a rotation) goes to the {@code fallback}.
 * One small session, single-threaded per call, shared by all request threads.
 */
public final class TfImagePreprocessor implements Preprocessor, AutoCloseable {

    private static final long[] RATIOS = {8, 4, 2, 1};

    private final int height;
    private final int width;
    private final long maxPixels;
    private final Graph graph;
    private final Session session;
    private final String[] outputs = new String[RATIOS.length];
    private final Preprocessor fallback;

    /** @param fallback for images other than plainly oriented JPEGs, e.g. the Java {@code ImagePreprocessor} */
    public TfImagePreprocessor(int height, int width, Scaling scaling, long maxPixels, Preprocessor fallback) {
        this.fallback = fallback;
        this.height = height;
        this.width = width;
        this.maxPixels = maxPixels;
        this.graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Placeholder<TString> encoded = tf.withName("jpeg").placeholder(TString.class,
                    Placeholder.shape(Shape.scalar()));
            float multiplier = scaling.apply(1) - scaling.apply(0);
            float offset = scaling.apply(0);
            for (int i = 0; i < RATIOS.length; i++) {
                DecodeJpeg rgb = tf.image.decodeJpeg(encoded, DecodeJpeg.channels(3L), DecodeJpeg.ratio(RATIOS[i]));
                Operand<TFloat32> batch = tf.dtypes.cast(tf.expandDims(rgb, tf.constant(0)), TFloat32.class);
                Operand<TFloat32> decodedSize = tf.dtypes.cast(
                        tf.slice(tf.shape(batch), tf.constant(new int[] {1}), tf.constant(new int[] {2})),
                        TFloat32.class);
                // Keys cubic (a = −0.5) with antialiasing when shrinking: PIL's BICUBIC, which the Java path and
                // the course's Keras preprocessing use; plain ResizeBicubic would alias on downscaling.
                ScaleAndTranslate resized = tf.image.scaleAndTranslate(batch, tf.constant(new int[] {height, width}),
                        tf.math.div(tf.constant(new float[] {height, width}), decodedSize),
                        tf.constant(new float[] {0, 0}), ScaleAndTranslate.kernelType("keyscubic"),
                        ScaleAndTranslate.antialias(true));
                Operand<TFloat32> clipped = tf.clipByValue(resized, tf.constant(0f), tf.constant(255f));
                outputs[i] = "out" + RATIOS[i];
                tf.withName(outputs[i]).math.add(tf.math.mul(clipped, tf.constant(multiplier)), tf.constant(offset));
            }
            // Request threads already run in parallel; a pool per call would only oversubscribe the cores.
            this.session = new Session(graph, ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1).build());
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** @return height × width × 3 floats, row-major RGB, scaled */
    @Override
    public float[] toTensor(byte[] jpeg) throws ImageException {
        int[] size = JpegSize.read(jpeg);
        if (size == null) {
            return fallback.toTensor(jpeg);
        }
        long pixels = (long) size[0] * size[1];
        if (pixels > maxPixels) {
            throw new ImageException(ImageException.Kind.TOO_LARGE, "image has " + pixels + " pixels, the limit is "
                    + maxPixels);
        }
        String output = outputs[RATIOS.length - 1];
        for (int i = 0; i < RATIOS.length; i++) {
            if (size[0] / RATIOS[i] >= width && size[1] / RATIOS[i] >= height) {
                output = outputs[i];
                break;
            }
        }
        try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(jpeg));
             Result result = session.runner().feed("jpeg", in).fetch(output).run()) {
            TFloat32 out = (TFloat32) result.get(0);
            float[] data = new float[height * width * 3];
            out.asRawTensor().data().asFloats().read(data);
            return data;
        } catch (TensorFlowException | IllegalArgumentException | IllegalStateException e) {
            // TensorFlow reports a bad JPEG as TFInvalidArgumentException, an IllegalArgumentException.
            throw new ImageException(ImageException.Kind.CORRUPT, "cannot decode JPEG: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }

    /** Width and height from a JPEG's start-of-frame header, without decoding. */
    static final class JpegSize {

        private static final byte[] EXIF = {'E', 'x', 'i', 'f', 0, 0};

        private JpegSize() {
        }

        /** @return {width, height}, or null when this is not a JPEG or its EXIF orientation asks for a rotation */
        static int[] read(byte[] b) throws ImageException {
            if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
                return null;
            }
            int i = 2;
            while (i + 9 < b.length) {
                if ((b[i] & 0xff) != 0xFF) {
                    break;
                }
                int marker = b[i + 1] & 0xff;
                if (marker == 0xFF) {
                    i++;
                    continue;
                }
                int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
                if (marker == 0xE1 && rotated(b, i + 4, Math.min(b.length, i + 2 + length))) {
                    return null;
                }
                boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                        && marker != 0xCC;
                if (startOfFrame) {
                    int h = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
                    int w = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
                    if (w == 0 || h == 0) {
                        break;
                    }
                    return new int[] {w, h};
                }
                i += 2 + length;
            }
            throw new ImageException(ImageException.Kind.CORRUPT, "JPEG has no readable frame header");
        }

        /** True when an APP1 segment is EXIF with an orientation tag other than 1 (as stored). */
        private static boolean rotated(byte[] b, int start, int end) {
            if (end - start < 14 || !java.util.Arrays.equals(b, start, start + 6, EXIF, 0, 6)) {
                return false;
            }
            int tiff = start + 6;
            boolean little = b[tiff] == 'I';
            int ifd = tiff + u32(b, tiff + 4, little);
            if (ifd <= tiff || ifd + 2 > end) {
                return false;
            }
            int entries = u16(b, ifd, little);
            for (int e = 0; e < entries; e++) {
                int entry = ifd + 2 + e * 12;
                if (entry + 12 > end) {
                    return false;
                }
                if (u16(b, entry, little) == 0x0112) {
                    return u16(b, entry + 8, little) != 1;
                }
            }
            return false;
        }

        private static int u16(byte[] b, int i, boolean little) {
            return little ? (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 : (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
        }

        private static int u32(byte[] b, int i, boolean little) {
            return little ? u16(b, i, true) | u16(b, i + 2, true) << 16 : u16(b, i, false) << 16 | u16(b, i + 2, false);
        }
    }
}

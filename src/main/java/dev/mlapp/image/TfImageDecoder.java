package dev.mlapp.image;

import java.util.function.IntFunction;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeBmp;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.op.image.DecodePng;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Every format's pixels from TensorFlow's own decode kernels: libjpeg-turbo with its SIMD code for JPEG (5–20×
 * faster than ImageIO on this project's photos, BENCHMARKS.md), libpng, giflib and TensorFlow's BMP reader. With the
 * accurate integer IDCT, libjpeg-turbo produces the pixels PIL (also libjpeg-turbo) produces, so the Java resize
 * that follows stays bit-exact with the course's preprocessing; the lossless formats decode to the exact samples.
 * No ImageIO: the container image's Java runtime leaves out {@code java.desktop} (15 MB).
 *
 * <p>One graph with a decode op per DCT scale and per format, one session, shared by all request threads. Each
 * decode runs on the calling thread (a negative inter-op thread count): request threads already run in parallel,
 * and handing the one op to TensorFlow's pool would cost two thread switches per request and bill its CPU to the
 * model's threads. Thread-safe. Not final: a test counts or delays the JPEG decodes by overriding
 * {@link #decode(byte[], int, IntFunction)}.
 */
public class TfImageDecoder implements AutoCloseable {

    /** Decoded pixels, {@code channels} bytes each, rows top to bottom as stored; {@code data} may be longer. */
    public record Pixels(byte[] data, int width, int height, int channels) {
    }

    private static final int[] DENOMINATORS = {1, 2, 4, 8};
    /** TensorFlow's ConfigProto: "negative: all operations are performed in the caller's thread". */
    private static final int RUN_IN_CALLER_THREAD = -1;
    private static final String INPUT = "encoded";

    private final Graph graph;
    private final Session session;

    public TfImageDecoder() {
        this.graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Placeholder<TString> encoded = tf.withName(INPUT).placeholder(TString.class,
                    Placeholder.shape(Shape.scalar()));
            for (int n : DENOMINATORS) {
                tf.withName(jpegOutput(n)).image.decodeJpeg(encoded, DecodeJpeg.channels(3L),
                        DecodeJpeg.ratio((long) n), DecodeJpeg.dctMethod("INTEGER_ACCURATE"));
            }
            // 16-bit samples keep their high byte, as PIL keeps it for colour (docs/image-preprocessing.md: grey).
            tf.withName(output(ImageFormat.PNG)).image.decodePng(encoded, TUint8.class, DecodePng.channels(3L));
            tf.withName(output(ImageFormat.GIF)).image.decodeGif(encoded);
            // The file's own channels (1 = palette indices, 3, or 4 with alpha): the caller maps them to RGB.
            tf.withName(output(ImageFormat.BMP)).image.decodeBmp(encoded, DecodeBmp.channels(0L));
            this.session = new Session(graph, ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(RUN_IN_CALLER_THREAD).build());
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    private static String jpegOutput(int denominator) {
        return "jpeg_1_" + denominator;
    }

    private static String output(ImageFormat format) {
        return format.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * A JPEG (grey, colour, or CMYK/YCCK, which libjpeg-turbo turns into RGB) to packed RGB.
     *
     * @param scaleDenominator 1, 2, 4 or 8: decode at 1/n of the size inside the decoder (DCT scaling)
     * @param buffers          gives a byte array of at least the requested length for the pixels
     */
    public Pixels decode(byte[] jpeg, int scaleDenominator, IntFunction<byte[]> buffers) throws ImageException {
        if (Integer.bitCount(scaleDenominator) != 1 || scaleDenominator > 8) {
            throw new IllegalArgumentException("scale denominator must be 1, 2, 4 or 8, not " + scaleDenominator);
        }
        return run("JPEG", jpeg, jpegOutput(scaleDenominator), buffers);
    }

    /** A PNG (packed RGB), a one-frame GIF (packed RGB) or a BMP (its own channels). */
    final Pixels decode(ImageFormat format, byte[] data, IntFunction<byte[]> buffers) throws ImageException {
        if (format == ImageFormat.JPEG) {
            return decode(data, 1, buffers);
        }
        return run(format.toString(), data, output(format), buffers);
    }

    private Pixels run(String format, byte[] data, String output, IntFunction<byte[]> buffers)
            throws ImageException {
        try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(data));
             Result result = session.runner().feed(INPUT, in).fetch(output).run()) {
            Tensor pixels = result.get(0);
            Shape shape = pixels.shape();
            int rank = shape.numDimensions();
            if (rank == 4 && shape.get(0) != 1) {
                throw new IllegalStateException("expected one frame, got " + shape);
            }
            int height = Math.toIntExact(shape.get(rank - 3));
            int width = Math.toIntExact(shape.get(rank - 2));
            int channels = Math.toIntExact(shape.get(rank - 1));
            int size = Math.multiplyExact(Math.multiplyExact(width, channels), height);
            byte[] bytes = buffers.apply(size);
            pixels.asRawTensor().data().read(bytes, 0, size);
            return new Pixels(bytes, width, height, channels);
        } catch (TensorFlowException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            // TensorFlow reports a bad or truncated image as TFInvalidArgumentException, an IllegalArgumentException.
            throw ImageException.undecodable(format, e);
        }
    }

    @Override
    public final void close() {
        session.close();
        graph.close();
    }
}

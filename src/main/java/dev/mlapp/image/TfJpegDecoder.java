package dev.mlapp.image;

import java.util.function.IntFunction;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * JPEG decoding by TensorFlow's DecodeJpeg kernel, i.e. libjpeg-turbo with its SIMD code: 5–20× faster than
 * ImageIO on this project's photos (BENCHMARKS.md). With the accurate integer IDCT it produces the pixels PIL
 * (also libjpeg-turbo) produces, so the Java resize that follows stays bit-exact with the course's preprocessing.
 * One graph with a decode op per DCT scale, one session, shared by all request threads. Each decode runs on the
 * calling thread (a negative inter-op thread count): request threads already run in parallel, and handing the one
 * op to TensorFlow's pool would cost two thread switches per request and bill its CPU to the model's threads.
 */
public final class TfJpegDecoder implements JpegDecoder {

    private static final int[] DENOMINATORS = {1, 2, 4, 8};
    /** TensorFlow's ConfigProto: "negative: all operations are performed in the caller's thread". */
    private static final int RUN_IN_CALLER_THREAD = -1;

    private final Graph graph;
    private final Session session;

    public TfJpegDecoder() {
        this.graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Placeholder<TString> encoded = tf.withName("jpeg").placeholder(TString.class,
                    Placeholder.shape(Shape.scalar()));
            for (int n : DENOMINATORS) {
                tf.withName(output(n)).image.decodeJpeg(encoded, DecodeJpeg.channels(3L), DecodeJpeg.ratio((long) n),
                        DecodeJpeg.dctMethod("INTEGER_ACCURATE"));
            }
            this.session = new Session(graph, ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(RUN_IN_CALLER_THREAD).build());
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    private static String output(int denominator) {
        return "rgb_1_" + denominator;
    }

    @Override
    public Pixels decode(byte[] jpeg, int scaleDenominator, IntFunction<byte[]> buffers) throws ImageException {
        if (Integer.bitCount(scaleDenominator) != 1 || scaleDenominator > 8) {
            throw new IllegalArgumentException("scale denominator must be 1, 2, 4 or 8, not " + scaleDenominator);
        }
        try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(jpeg));
             Result result = session.runner().feed("jpeg", in).fetch(output(scaleDenominator)).run()) {
            TUint8 rgb = (TUint8) result.get(0);
            int height = Math.toIntExact(rgb.shape().get(0));
            int width = Math.toIntExact(rgb.shape().get(1));
            byte[] pixels = buffers.apply(Math.multiplyExact(width * 3, height));
            rgb.asRawTensor().data().read(pixels, 0, width * 3 * height);
            return new Pixels(pixels, width, height);
        } catch (TensorFlowException | IllegalArgumentException | IllegalStateException e) {
            // TensorFlow reports a bad or truncated JPEG as TFInvalidArgumentException, an IllegalArgumentException.
            throw ImageException.undecodable("JPEG", e);
        }
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}

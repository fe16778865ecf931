package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class InferCommandTest {

    /** Weights of the exported test network y = softmax(x · W + b), 4 inputs, 3 classes. */
    private static final float[] W = {0.5f, -1f, 0.25f, 1.5f, 0.75f, -0.5f, -0.25f, 0.2f, 1f, 0.1f, -0.3f, 0.6f};
    private static final float[] B = {0.1f, -0.2f, 0.3f};

    @TempDir
    Path dir;

    @Test
    void runsASavedModelOnAnNpyTensorAndWritesItsOutput() throws IOException {
        Path model = exportSoftmaxRegression(dir.resolve("saved"));
        float[] x = {1, 2, 3, 4, -1, 0.5f, 0, 2};
        Path in = dir.resolve("in.npy");
        Path out = dir.resolve("out.npy");
        Npy.write(in, new FloatArray(new long[] {2, 4}, x));

        Captured run = Captured.run("infer", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());

        assertEquals(ExitStatus.OK, run.status(), run.err());
        FloatArray result = Npy.read(out);
        assertArrayEquals(new long[] {2, 3}, result.shape());
        for (int n = 0; n < 2; n++) {
            double[] logits = new double[3];
            double sum = 0;
            for (int j = 0; j < 3; j++) {
                logits[j] = B[j];
                for (int i = 0; i < 4; i++) {
                    logits[j] += x[n * 4 + i] * W[i * 3 + j];
                }
                sum += Math.exp(logits[j]);
            }
            for (int j = 0; j < 3; j++) {
                assertEquals(Math.exp(logits[j]) / sum, result.data()[n * 3 + j], 1e-6);
            }
        }
        assertTrue(run.out().contains("[2, 3]"), run.out());
    }

    @Test
    void runsAKerasArchiveThroughTheImporter() throws IOException, java.net.URISyntaxException {
        Path fixture = Path.of(InferCommandTest.class.getResource("/keras-fixtures/nested_trainable_keras3_keras")
                .toURI());
        Path out = dir.resolve("out.npy");
        Captured run = Captured.run("infer", "--model", fixture.resolve("model.keras").toString(),
                "--input", fixture.resolve("input.npy").toString(), "--output", out.toString());
        assertEquals(ExitStatus.OK, run.status(), run.err());
        FloatArray expected = Npy.read(fixture.resolve("expected.npy"));
        FloatArray actual = Npy.read(out);
        assertArrayEquals(expected.shape(), actual.shape());
        for (int i = 0; i < expected.data().length; i++) {
            assertEquals(expected.data()[i], actual.data()[i], 1e-4);
        }
    }

    @Test
    void embeddedModelIsTheDefault() throws IOException {
        Path in = dir.resolve("in.npy");
        Path out = dir.resolve("out.npy");
        Npy.write(in, new FloatArray(new long[] {1, 224, 224, 3}, new float[224 * 224 * 3]));
        Captured run = Captured.run("infer", "--input", in.toString(), "--output", out.toString());
        assertEquals(ExitStatus.OK, run.status(), run.err());
        FloatArray result = Npy.read(out);
        assertArrayEquals(new long[] {1, 11}, result.shape());
        double sum = 0;
        for (float p : result.data()) {
            sum += p;
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void wrongShapeFailsWithTheShapeTheModelWants() throws IOException {
        Path model = exportSoftmaxRegression(dir.resolve("saved"));
        Path in = dir.resolve("in.npy");
        Path out = dir.resolve("out.npy");
        Npy.write(in, new FloatArray(new long[] {2, 5}, new float[10]));
        Captured run = Captured.run("infer", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(ExitStatus.FAILURE, run.status());
        assertTrue(run.err().contains("[2, 5]") && run.err().contains("[batch, 4]"), run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingOrBrokenFilesFailWithAMessage() throws IOException {
        Path in = dir.resolve("in.npy");
        Path out = dir.resolve("out.npy");
        Npy.write(in, new FloatArray(new long[] {1, 4}, new float[4]));

        Captured noInput = Captured.run("infer", "--input", dir.resolve("absent.npy").toString(), "--output", out.toString());
        assertEquals(ExitStatus.FAILURE, noInput.status());
        assertTrue(noInput.err().contains("absent.npy") && noInput.err().contains("does not exist"), noInput.err());

        Captured noModel = Captured.run("infer", "--model", dir.resolve("absent.h5").toString(), "--input", in.toString(),
                "--output", out.toString());
        assertEquals(ExitStatus.FAILURE, noModel.status());
        assertTrue(noModel.err().contains("absent.h5"), noModel.err());

        Path notAModel = Files.writeString(dir.resolve("model.h5"), "not hdf5");
        Captured badModel = Captured.run("infer", "--model", notAModel.toString(), "--input", in.toString(),
                "--output", out.toString());
        assertEquals(ExitStatus.FAILURE, badModel.status());
        assertTrue(badModel.err().contains("neither an HDF5 file"), badModel.err());

        Path notNpy = Files.writeString(dir.resolve("text.npy"), "hello");
        Captured badInput = Captured.run("infer", "--input", notNpy.toString(), "--output", out.toString());
        assertEquals(ExitStatus.FAILURE, badInput.status());
        assertTrue(badInput.err().contains("not a NumPy .npy file"), badInput.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingFlagsAreUsageErrors() {
        assertEquals(ExitStatus.USAGE, Captured.run("infer", "--output", "x.npy").status());
        assertEquals(ExitStatus.USAGE, Captured.run("infer", "--input", "x.npy").status());
        assertEquals(ExitStatus.USAGE, Captured.run("infer", "--input", "a", "--output", "b", "--bogus", "1").status());
        assertEquals(ExitStatus.OK, Captured.run("infer", "--help").status());
    }

    private static Path exportSoftmaxRegression(Path target) throws IOException {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 4)));
            var w = tf.constant(Shape.of(4, 3), DataBuffers.of(W, true, false));
            var b = tf.constant(Shape.of(3), DataBuffers.of(B, true, false));
            var y = tf.withName("y").nn.softmax(tf.nn.biasAdd(tf.linalg.matMul(x, w), b));
            Signature signature = Signature.builder().key(Signature.DEFAULT_KEY).input("x", x).output("y", y).build();
            SavedModelBundle.exporter(target.toString()).withSession(session).withSignature(signature).export();
        }
        return target;
    }

}

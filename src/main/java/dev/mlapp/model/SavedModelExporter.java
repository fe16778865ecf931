package dev.mlapp.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;

/**
 * Writes a loaded model's graph — the one the server runs — as a TensorFlow SavedModel that TensorFlow Serving
 * loads: tag {@value #TAG}, one signature {@value #SIGNATURE} of method {@value #METHOD} with one float32 input
 * {@value #INPUT} ({@code [-1, ...item shape]}) and one float32 output {@value #OUTPUT}.
 *
 * <p>The Keras importer holds weights as graph constants, so they are written into {@code saved_model.pb} itself
 * (the {@code variables/} folder is empty). A protocol buffer is limited to 2 GB, which bounds the exportable
 * model at about 500 million float32 parameters (VGG16 has 138 million).
 */
public final class SavedModelExporter {

    public static final String TAG = SavedModelBundle.DEFAULT_TAG;
    public static final String SIGNATURE = Signature.DEFAULT_KEY;
    /** TensorFlow Serving's Predict API serves signatures of this method. */
    public static final String METHOD = "tensorflow/serving/predict";
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";

    private SavedModelExporter() {
    }

    /**
     * @param dir created if missing; must be empty, so an existing model is never overwritten in part
     * @throws ModelLoadException the model is not a TensorFlow graph this process built or loaded
     */
    public static void export(Model model, Path dir) throws IOException {
        if (!(model instanceof TfModel tf)) {
            throw new ModelLoadException("model " + model.info().name() + " is not a TensorFlow graph and cannot be"
                    + " exported");
        }
        requireEmpty(dir);
        Graph graph = tf.session().graph();
        Signature signature = Signature.builder().key(SIGNATURE).methodName(METHOD)
                .input(INPUT, graph.outputOrThrow(tf.inputName()))
                .output(OUTPUT, graph.outputOrThrow(tf.outputName()))
                .build();
        SavedModelBundle.exporter(dir.toString()).withTags(TAG)
                .withFunction(SessionFunction.create(signature, tf.session())).export();
    }

    private static void requireEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dir + " is not empty; export into a new or empty directory"
                            + " (TensorFlow Serving wants one numbered directory per version, e.g. models/ml-lb/1)");
                }
            }
        }
        Files.createDirectories(dir);
    }
}

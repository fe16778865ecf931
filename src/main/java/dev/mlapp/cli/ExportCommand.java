package dev.mlapp.cli;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.SavedModelExporter;
import dev.mlapp.model.SessionOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * {@code export}: writes the graph the server would run for a Keras file as a TensorFlow SavedModel, for platforms
 * that serve only SavedModels (TensorFlow Serving, KServe's TensorFlow runtime), then loads the export back and
 * checks that it answers as the original does.
 */
final class ExportCommand {

    static final String HELP = """
            Usage: ./ml-app export [--model PATH] --output DIR

            Writes the model as a TensorFlow SavedModel: tag serve, signature serving_default (method
            tensorflow/serving/predict), float32 input "input" [-1, ...the model's input shape], float32 output
            "output". The weights are stored in saved_model.pb. Then loads the export back and compares both on a
            random batch; exits 1 if they differ by more than 1e-6 or on any failure.
              --model PATH     .h5/.keras file or SavedModel directory [MODEL_PATH]
                               (default: the embedded demo model, untrained)
              --output DIR     new or empty directory; for TensorFlow Serving, a numbered version directory
                               such as models/ml-lb/1
            """;

    /** The largest difference accepted between the original and the export on the same input. */
    static final double TOLERANCE = 1e-6;
    private static final int CHECK_BATCH = 2;
    private static final List<String> FLAGS = List.of("model", "output", "help");

    private ExportCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        Optional<Options> parsed = Options.forCommand(args, env, List.of(), FLAGS, HELP);
        if (parsed.isEmpty()) {
            return ExitStatus.OK;
        }
        Options options = parsed.get();
        if (!options.positional().isEmpty()) {
            throw new UsageException("export takes no positional arguments, got " + options.positional());
        }
        Path output = Path.of(options.get("output", null)
                .orElseThrow(() -> new UsageException("export needs --output DIR")));
        Path modelPath = options.get("model", "MODEL_PATH").map(Path::of).orElse(null);
        try {
            double difference = export(modelPath, output);
            if (difference > TOLERANCE) {
                System.err.printf("ml-app export: the export answers differently from the original (max |diff| %.3g"
                        + " > %.0e); do not serve it%n", difference, TOLERANCE);
                return ExitStatus.FAILURE;
            }
            return ExitStatus.OK;
        } catch (IOException | ModelLoadException | InferenceException e) {
            System.err.println("ml-app export: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
    }

    /** @return the largest difference between the original's and the export's outputs on a random batch */
    static double export(Path modelPath, Path output) throws IOException {
        try (Model model = ModelLoader.load(modelPath, SessionOptions.TENSORFLOW_DEFAULTS)) {
            System.out.println("exporting " + model.info().name() + " to " + output + " ...");
            SavedModelExporter.export(model, output);
            System.out.println("loading the export back to check it ...");
            try (Model exported = ModelLoader.load(output, SessionOptions.TENSORFLOW_DEFAULTS)) {
                FloatArray input = randomBatch(model.info().inputShape());
                double difference = maxDifference(model.predict(input), exported.predict(input));
                System.out.printf("wrote %s: SavedModel, signature %s, input %s, output %s;"
                        + " max |diff| to the original on a random batch: %.2e%n", output,
                        SavedModelExporter.SIGNATURE, SavedModelExporter.INPUT, SavedModelExporter.OUTPUT, difference);
                return difference;
            }
        }
    }

    private static FloatArray randomBatch(long[] itemShape) {
        long[] shape = Model.batchShape(itemShape, CHECK_BATCH);
        float[] data = new float[Math.toIntExact(FloatArray.elementCount(shape))];
        Random random = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat();
        }
        return new FloatArray(shape, data);
    }

    static double maxDifference(FloatArray a, FloatArray b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.data().length; i++) {
            max = Math.max(max, Math.abs(a.data()[i] - b.data()[i]));
        }
        return max;
    }
}

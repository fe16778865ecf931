package dev.mlapp.cli;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Npy;
import dev.mlapp.model.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code infer}: runs the model on a raw float32 tensor and writes its output, both as NumPy {@code .npy} files, so
 * that a user can compare this server's numbers with Keras's own {@code model.predict} on the same input.
 */
final class InferCommand {

    static final String HELP = """
            Usage: ./ml-app infer [--model PATH] --input IN.npy --output OUT.npy

            Runs the model once on a float32 array, batch first, with no preprocessing, and writes the model's
            single output as float32 .npy. Exits 1 with a message on any failure.
              --model PATH     .h5/.keras file or SavedModel directory [MODEL_PATH]
                               (default: the embedded demo model, untrained)
              --weights FILE   model.save_weights() .h5 when --model is the model.to_json() JSON [WEIGHTS_PATH]
              --input FILE     .npy input, shape [batch, ...the model's input shape] (float32; float64 is narrowed)
              --output FILE    .npy file to write, replaced if it exists
            """;

    private static final List<String> FLAGS = List.of("model", "weights", "input", "output", "help");

    private InferCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        // Empty after --help, which forCommand has printed.
        return Options.forCommand(args, env, List.of(), FLAGS, HELP)
                .map(options -> run(options, env)).orElse(ExitStatus.OK);
    }

    private static ExitStatus run(Options options, Map<String, String> env) {
        Path input = Path.of(options.get("input", null)
                .orElseThrow(() -> new UsageException("infer needs --input FILE.npy")));
        Path output = Path.of(options.get("output", null)
                .orElseThrow(() -> new UsageException("infer needs --output FILE.npy")));
        Path modelPath = options.get("model", "MODEL_PATH").map(Path::of).orElse(null);
        Path weights = options.get("weights", "WEIGHTS_PATH").map(Path::of).orElse(null);
        try {
            infer(modelPath, weights, input, output);
            return ExitStatus.OK;
        } catch (IOException | ModelLoadException | InferenceException | IllegalArgumentException e) {
            System.err.println("ml-app infer: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
    }

    private static void infer(Path modelPath, Path weights, Path input, Path output) throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new IOException("input file " + input + " does not exist");
        }
        FloatArray tensor = Npy.read(input);
        try (Model model = ModelLoader.load(modelPath, weights, SessionOptions.TENSORFLOW_DEFAULTS)) {
            requireCompatible(tensor.shape(), model.info().inputShape(), input);
            long start = System.nanoTime();
            FloatArray result = model.predict(tensor);
            double seconds = (System.nanoTime() - start) / 1e9;
            Npy.write(output, result);
            System.out.printf("%s: %s -> %s %s in %.3f s (model: %s)%n", input, Arrays.toString(tensor.shape()),
                    output, Arrays.toString(result.shape()), seconds, model.info().name());
        }
    }

    /** Checks the batch-first input against the model's per-item shape, where -1 matches any size. */
    static void requireCompatible(long[] given, long[] itemShape, Path input) {
        boolean fits = given.length == itemShape.length + 1 && given[0] > 0;
        for (int i = 0; fits && i < itemShape.length; i++) {
            fits = itemShape[i] < 0 || itemShape[i] == given[i + 1];
        }
        if (!fits) {
            throw new IllegalArgumentException(input + " has shape " + Arrays.toString(given)
                    + " but the model takes [batch, " + Arrays.toString(itemShape).replace("[", "").replace("-1", "?")
                    + " (batch first, at least one item)");
        }
    }
}

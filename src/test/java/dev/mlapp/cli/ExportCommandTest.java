package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.ImageLayout;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.Npy;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.testing.SystemTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * {@code export} writes a SavedModel TensorFlow Serving accepts (checked in {@code saved_model.pb} itself) and the
 * export computes what the Keras file computes: every image model of the conformance corpus is exported, loaded
 * back through the SavedModel path, and run on the case's own input beside the {@code .h5}.
 */
class ExportCommandTest {

    private static final SessionOptions OPTIONS = new SessionOptions(1, 1);

    @Test
    void writesTheMetaGraphTensorFlowServingExpects(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("demo/1");
        assertEquals(ExitStatus.OK, Main.run(List.of("export", "--output", out.toString()), Map.of()));

        SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(out.resolve("saved_model.pb")));
        assertEquals(1, saved.getMetaGraphsCount());
        MetaGraphDef meta = saved.getMetaGraphs(0);
        assertEquals(List.of("serve"), meta.getMetaInfoDef().getTagsList());
        SignatureDef signature = meta.getSignatureDefMap().get("serving_default");
        assertEquals("tensorflow/serving/predict", signature.getMethodName());
        assertEquals(List.of("input"), List.copyOf(signature.getInputsMap().keySet()));
        assertEquals(List.of("output"), List.copyOf(signature.getOutputsMap().keySet()));
        TensorInfo input = signature.getInputsMap().get("input");
        assertEquals(DataType.DT_FLOAT, input.getDtype());
        assertEquals(List.of(-1L, 224L, 224L, 3L), input.getTensorShape().getDimList().stream()
                .map(d -> d.getSize()).toList());
        TensorInfo output = signature.getOutputsMap().get("output");
        assertEquals(DataType.DT_FLOAT, output.getDtype());
        assertEquals(List.of(-1L, 11L), output.getTensorShape().getDimList().stream().map(d -> d.getSize()).toList());
    }

    @Test
    void refusesADirectoryThatIsNotEmpty(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("keep.txt"), "an earlier version");
        assertEquals(ExitStatus.FAILURE, Main.run(List.of("export", "--output", tmp.toString()), Map.of()));
        assertEquals(List.of(tmp.resolve("keep.txt")), Files.list(tmp).toList());
    }

    @Test
    void theExportOfEveryImageModelOfTheCorpusAnswersAsTheH5(@TempDir Path tmp) throws IOException {
        Path cases = SystemTools.requireShared("keras-conformance/cases");
        List<String> compared = new ArrayList<>();
        double worst = 0;
        try (Stream<Path> list = Files.list(cases)) {
            for (Path dir : list.filter(d -> Files.exists(d.resolve("model.h5"))).sorted().toList()) {
                Double delta = compare(dir, tmp.resolve(dir.getFileName().toString()));
                if (delta != null) {
                    compared.add(dir.getFileName().toString());
                    assertTrue(delta <= ExportCommand.TOLERANCE, dir.getFileName() + ": max |Δ| " + delta);
                    worst = Math.max(worst, delta);
                }
            }
        }
        System.out.printf("export: %d image models of the corpus, max |Δ| between .h5 and SavedModel %.2e%n",
                compared.size(), worst);
        assertTrue(compared.size() >= 10, "the corpus has dozens of image models, found " + compared);
    }

    /** @return max |Δ| on the case's input, or null when the case is no image model this server would serve */
    private static Double compare(Path dir, Path export) throws IOException {
        FloatArray input = Npy.read(dir.resolve("input.npy"));
        FloatArray expected;
        try (Model original = ModelLoader.load(dir.resolve("model.h5"), OPTIONS)) {
            if (ImageLayout.of(original.info().inputShape()).isEmpty()) {
                return null;
            }
            expected = original.predict(input);
            dev.mlapp.model.SavedModelExporter.export(original, export);
        } catch (ModelLoadException e) {
            return null; // the importer's own test reports the files it refuses
        }
        try (Model exported = ModelLoader.load(export, OPTIONS)) {
            return ExportCommand.maxDifference(expected, exported.predict(input));
        }
    }
}

package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.Scaling;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputPlanTest {

    @TempDir
    Path dir;

    private static ModelInfo info(int classes, ModelInfo.Detail... details) {
        return new ModelInfo("m", "keras-h5", "m.h5", "0", new long[] {224, 224, 3}, new long[] {classes}, false,
                List.of(details));
    }

    private Path model() throws IOException {
        return Files.writeString(dir.resolve("keras_model.h5"), "not read here");
    }

    @Test
    void aModelStartingWithRescalingGetsRawPixels() throws IOException {
        InputPlan plan = InputPlan.decide(info(3, new ModelInfo.Detail(ModelInfo.INPUT_RESCALING,
                "Rescaling(scale=0.00392, offset=0.0)")), model(), null, null);
        assertEquals(Scaling.RAW, plan.scaling());
        assertTrue(plan.scalingReason().contains("Rescaling(scale=0.00392"), plan.scalingReason());
        assertEquals(List.of("class_0", "class_1", "class_2"), plan.labels().names());
    }

    @Test
    void anExplicitScalingWins() throws IOException {
        InputPlan plan = InputPlan.decide(info(3, new ModelInfo.Detail(ModelInfo.INPUT_RESCALING, "Rescaling")),
                model(), null, Scaling.UNIT);
        assertEquals(Scaling.UNIT, plan.scaling());
        assertTrue(plan.scalingReason().contains("configured"));
    }

    @Test
    void aTeachableMachineExportIsRecognisedByItsStructureWithoutALabelsFile() throws IOException {
        InputPlan plan = InputPlan.decide(info(2, new ModelInfo.Detail(ModelInfo.BASE_NETWORK, "MobileNetV2"),
                new ModelInfo.Detail(ModelInfo.TEACHABLE_MACHINE, "layers named dense_Dense1")), model(), null, null);
        assertEquals(Scaling.SYMMETRIC, plan.scaling());
        assertTrue(plan.scalingReason().startsWith("a Teachable Machine export, by its structure (layers named "
                + "dense_Dense1)"), plan.scalingReason());
        assertEquals(List.of("class_0", "class_1"), plan.labels().names());
    }

    @Test
    void aTeachableMachineExportIsRecognisedByItsLabelsAndItsMobileNet() throws IOException {
        Path model = model();
        Files.writeString(dir.resolve("labels.txt"), "0 Cat\n1 Dog\n");
        InputPlan plan = InputPlan.decide(info(2, new ModelInfo.Detail(ModelInfo.BASE_NETWORK, "MobileNetV2")),
                model, null, null);
        assertEquals(Scaling.SYMMETRIC, plan.scaling());
        assertTrue(plan.scalingReason().contains("Teachable Machine export, by its labels"), plan.scalingReason());
        assertEquals(List.of("Cat", "Dog"), plan.labels().names());
        // the same network with plain labels is a user's own transfer model: nothing says [-1, 1]
        Files.writeString(dir.resolve("labels.txt"), "Cat\nDog\n");
        assertEquals(Scaling.UNIT, InputPlan.decide(info(2, new ModelInfo.Detail(ModelInfo.BASE_NETWORK,
                "MobileNetV2")), model, null, null).scaling());
        // numbered labels without a MobileNet inside are just labels
        Files.writeString(dir.resolve("labels.txt"), "0 Cat\n1 Dog\n");
        assertEquals(Scaling.UNIT, InputPlan.decide(info(2), model, null, null).scaling());
    }

    @Test
    void labelsComeFromTheConfiguredFileThenBesideTheModelThenDefaults() throws IOException {
        Path model = model();
        assertEquals(11, InputPlan.decide(info(11), model, null, null).labels().size());
        assertEquals("Bread", InputPlan.decide(info(11), model, null, null).labels().get(0));
        Files.writeString(dir.resolve("labels.json"), "{\"0\": \"cat\", \"1\": \"dog\"}");
        InputPlan plan = InputPlan.decide(info(2), model, null, null);
        assertEquals(List.of("cat", "dog"), plan.labels().names());
        assertTrue(plan.labelsReason().contains("labels.json") && plan.labelsReason().contains("next to the model"));
        Path configured = Files.writeString(dir.resolve("mine.txt"), "a\nb\n");
        assertEquals(List.of("a", "b"), InputPlan.decide(info(2), model, configured, null).labels().names());
        Files.writeString(dir.resolve("class_names.txt"), "x\n");
        Files.delete(dir.resolve("labels.json"));
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> InputPlan.decide(info(2), model, null, null));
        assertTrue(e.getMessage().contains("class_names.txt") && e.getMessage().contains("has 1 labels but the model "
                + "has 2 outputs"), e.getMessage());
    }

    @Test
    void numberedLinesLoseTheirNumberOnlyWhenEveryLineCountsUpFromZero() throws IOException {
        Path model = model();
        Files.writeString(dir.resolve("labels.txt"), "1 first\n2 second\n");
        assertEquals(List.of("1 first", "2 second"), InputPlan.decide(info(2), model, null, null).labels().names());
        Files.writeString(dir.resolve("labels.txt"), "[\"not json by name\"]\n0 x\n");
        assertEquals(2, InputPlan.decide(info(2), model, null, null).labels().size());
    }
}

package dev.mlapp.inference;

import dev.mlapp.image.Scaling;
import dev.mlapp.model.Labels;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How the server feeds and names this model, decided once when it loads, each choice with the reason people see
 * (start log line, {@code /api/v1/model}, the page): the pixel scaling — an explicit setting, else what the model's
 * own structure asks for, else [0,1] — and the labels — the configured file, else one found next to the model,
 * else the defaults.
 */
public record InputPlan(Scaling scaling, String scalingReason, Labels labels, String labelsReason) {

    /** Files looked for beside the model when no labels file is configured, in this order. */
    public static final List<String> LABEL_FILES = List.of("labels.txt", "labels.json", "class_names.txt");

    /**
     * @param modelPath       the model file or SavedModel directory; null for the embedded demo model
     * @param labelsPath      the configured labels file, or null
     * @param explicitScaling the configured scaling, or null to decide from the model
     */
    public static InputPlan decide(ModelInfo info, Path modelPath, Path labelsPath, Scaling explicitScaling) {
        int classes = info.outputItemSize();
        Labels labels;
        String labelsReason;
        Optional<Path> besideModel = labelsPath == null ? besideModel(modelPath) : Optional.empty();
        if (labelsPath != null) {
            labels = Labels.forModel(labelsPath, classes);
            labelsReason = "from " + labelsPath + " (the configured labels file)";
        } else if (besideModel.isPresent()) {
            Path file = besideModel.get();
            labels = Labels.read(file);
            if (labels.size() != classes) {
                throw new ModelLoadException("labels file " + file + " next to the model has " + labels.size()
                        + " labels but the model has " + classes + " outputs; fix the file, or name the right one "
                        + "with --labels / LABELS_PATH");
            }
            labelsReason = "from " + file + " (found next to the model)";
        } else {
            labels = Labels.defaults(classes);
            labelsReason = classes == Labels.FOOD_11.size()
                    ? "the Food-11 classes (11 outputs and no labels file)"
                    : "class_0..class_" + (classes - 1) + " (no labels file configured or next to the model)";
        }
        if (explicitScaling != null) {
            return new InputPlan(explicitScaling, "configured (--scaling / INPUT_SCALING)", labels, labelsReason);
        }
        Optional<String> rescaling = info.detail(ModelInfo.INPUT_RESCALING);
        if (rescaling.isPresent()) {
            return new InputPlan(Scaling.RAW, "the model's first computing layer is " + rescaling.get()
                    + ", so it takes raw 0..255 pixels", labels, labelsReason);
        }
        // Teachable Machine feeds its models x / 127.5 - 1. Its export is recognised by its own structure first, so
        // the file alone is served right; else by its labels.txt (numbered '0 name') beside a Keras MobileNet.
        Optional<String> teachable = info.detail(ModelInfo.TEACHABLE_MACHINE);
        if (teachable.isPresent()) {
            return new InputPlan(Scaling.SYMMETRIC, "a Teachable Machine export, by its structure (" + teachable.get()
                    + "): Teachable Machine feeds x / 127.5 - 1", labels, labelsReason);
        }
        Optional<String> base = info.detail(ModelInfo.BASE_NETWORK);
        if (base.isPresent() && (base.get().equals("MobileNet") || base.get().equals("MobileNetV2"))
                && labels.numbered() && besideModel.isPresent()) {
            return new InputPlan(Scaling.SYMMETRIC, "a Teachable Machine export, by its labels (" + besideModel.get()
                    .getFileName() + " numbered '0 name' and a Keras " + base.get() + " inside): Teachable Machine "
                    + "feeds x / 127.5 - 1", labels, labelsReason);
        }
        if (base.isPresent()) {
            // ResNet/VGG/DenseNet want preprocess_input's caffe or torch normalisation, Xception/InceptionV3/MobileNet
            // [-1, 1], all done outside the model; the course's notebook feeds x / 255 instead, so that is what a
            // model trained there learned.
            return new InputPlan(Scaling.UNIT, "the default: nothing in the model rescales its input (a Keras "
                    + base.get() + " base inside, whose preprocess_input is not part of the model; the course "
                    + "trains it on x / 255 — set --scaling if yours was trained otherwise)", labels, labelsReason);
        }
        return new InputPlan(Scaling.UNIT, "the default: nothing in the model rescales its input", labels,
                labelsReason);
    }

    private static Optional<Path> besideModel(Path modelPath) {
        if (modelPath == null) {
            return Optional.empty();
        }
        Path dir = Files.isDirectory(modelPath) ? modelPath : modelPath.toAbsolutePath().getParent();
        if (dir == null) {
            return Optional.empty();
        }
        return LABEL_FILES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst();
    }

    /** One line for the start log. */
    public String describe() {
        return "input scaling " + scaling.id() + " (" + scalingReason + "); " + labels.size() + " labels "
                + labelsReason;
    }
}

package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImageLayout;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.SampleImage;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoadException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Turns a loaded model into a {@link ServingModel} that is ready for traffic: decides its input plan (pixel
 * scaling, labels), builds the preprocessing, calibrates the batch size and queue when asked, builds the
 * classifier and warms it up on the bundled sample image. The same sample is its self-check of a model that
 * failed at run time. It holds no state between models: the {@link ModelHost} decides when to prepare and what
 * to do with the result.
 */
final class ModelPreparer {

    private static final Logger LOG = Logger.getLogger(ModelPreparer.class.getName());
    /**
     * Runs of the sample through the whole classifier before the model serves: the first TensorFlow runs pay
     * for graph optimisation, and the JIT compiles the decoding path. With calibration (which runs the model at every
     * batch size the engine will use) one is enough for the rest.
     */
    static final int WARM_UP_RUNS = 3;
    private static final int WARM_UP_RUNS_AFTER_CALIBRATION = 1;
    private static final int PREPROCESS_WARM_UP_RUNS = 40;
    private static final Duration PREPROCESS_WARM_UP = Duration.ofMillis(500);

    private final ClassifierOptions options;
    private final EngineListener listener;

    /** @param listener the engine's metrics; shared by every model prepared here */
    ModelPreparer(ClassifierOptions options, EngineListener listener) {
        this.options = options;
        this.listener = listener;
    }

    /**
     * Loads the model {@code loader} returns and makes it ready to serve; on any failure releases what it built
     * (the model included) and rethrows.
     *
     * @param modelPath where a labels file beside the model is looked for: the version's own directory
     * @param onFailure told when TensorFlow fails on the prepared model at run time
     */
    ServingModel prepare(Supplier<Model> loader, String version, Path modelPath, Consumer<ServingModel> onFailure) {
        long start = System.nanoTime();
        Model model = loader.get();
        ImagePreprocessor preprocessor = null;
        Classifier classifier = null;
        try {
            InputPlan plan = InputPlan.decide(model.info(), modelPath, options.labelsPath(), options.scaling());
            preprocessor = newPreprocessor(model, plan);
            warmPreprocessing(preprocessor);
            Calibration.Result calibration = calibrate(model, preprocessor);
            EngineOptions engine = calibration == null ? options.engine() : options.engine()
                    .withBatching(calibration.maxBatchSize(), options.engine().batchTimeoutMicros())
                    .withQueue(calibration.queueCapacity(), options.engine().deadline());
            classifier = newClassifier(model, plan, preprocessor, engine);
            for (int i = 0; i < (calibration == null ? WARM_UP_RUNS : WARM_UP_RUNS_AFTER_CALIBRATION); i++) {
                runSample(classifier);
            }
            return new ServingModel(model, classifier, plan, version, (System.nanoTime() - start) / 1e6,
                    onFailure, calibration == null ? null : calibration.toMap(engine.workers()));
        } catch (RuntimeException | Error e) {
            if (classifier != null) {
                classifier.close(); // the engine's threads and the JPEG decoder's session
            } else if (preprocessor != null) {
                preprocessor.close(); // until the classifier owns it, the decoder's TensorFlow session is ours
            }
            model.close();
            throw e;
        }
    }

    /**
     * Runs the sample image through {@code model} once, as a request would.
     *
     * @throws RuntimeException the model still fails (a {@link dev.mlapp.model.InferenceException} from TensorFlow)
     */
    static void selfCheck(ServingModel model) {
        runSample(model.classifier());
    }

    private ImagePreprocessor newPreprocessor(Model model, InputPlan plan) {
        ModelInfo info = model.info();
        ImageLayout layout = ImageLayout.of(info.inputShape()).orElseThrow(() -> new ModelLoadException(
                ImageLayout.notAnImage(info.inputShape())));
        return new ImagePreprocessor(layout, plan.scaling(), options.maxPixels(), options.jpegScaling(),
                CpuLimit.detect());
    }

    /**
     * Decodes and resizes the sample until the JIT has compiled that path (bounded in runs and time): interpreted,
     * the resize alone takes tens of milliseconds, and without this the first requests after ready paid for it
     * (demo model: 100, 51, 37, 30 ms against a steady 10 ms).
     */
    private static void warmPreprocessing(ImagePreprocessor preprocessor) {
        long giveUp = System.nanoTime() + PREPROCESS_WARM_UP.toNanos();
        for (int i = 0; i < PREPROCESS_WARM_UP_RUNS && System.nanoTime() < giveUp; i++) {
            sampleTensor(preprocessor);
        }
    }

    /** The model's best batch size and queue capacity here, or null when calibration is off. */
    private Calibration.Result calibrate(Model model, ImagePreprocessor preprocessor) {
        if (options.calibrationBudget().isZero()) {
            return null;
        }
        Calibration.Result result = Calibration.run(model, sampleTensor(preprocessor), options.engine(),
                options.calibrationBudget(), MemoryLimit.detect());
        LOG.info(() -> result.describe(options.engine().workers()));
        return result;
    }

    /** Owns {@code preprocessor} once it returns. */
    private Classifier newClassifier(Model model, InputPlan plan, ImagePreprocessor preprocessor,
                                     EngineOptions engineOptions) {
        InferenceEngine engine = engineOptions.createEngine(model, listener);
        try {
            return new Classifier(preprocessor, engine, plan.labels(), engineOptions, CpuLimit.detect(), listener);
        } catch (RuntimeException | Error e) {
            engine.close(); // until the classifier owns them, the engine's threads are ours
            throw e;
        }
    }

    private static float[] sampleTensor(ImagePreprocessor preprocessor) {
        try {
            return preprocessor.toTensor(SampleImage.jpeg());
        } catch (ImageException e) {
            throw sampleUnreadable(e);
        }
    }

    private static void runSample(Classifier classifier) {
        try {
            classifier.classify(SampleImage.jpeg(), 1);
        } catch (ImageException e) {
            throw sampleUnreadable(e);
        }
    }

    private static IllegalStateException sampleUnreadable(ImageException e) {
        return new IllegalStateException("the bundled sample image cannot be read: " + e.getMessage(), e);
    }
}

package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImageLayout;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.SampleImage;
import dev.mlapp.model.Labels;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelVersions;
import java.time.Duration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The model's lifecycle, in one owner: load in the background, build the classifier, warm it up, then serve; when
 * TensorFlow fails at run time, take the replica out of rotation and run a self-check until the model works again.
 *
 * <p>Everything a request or a probe needs is one immutable {@link State} behind one atomic reference: the phase,
 * its reason and the model serving, read together. A request takes the state's model once and finishes on it,
 * which is what lets a later version be loaded and warmed up beside the current one and swapped in with one
 * write of the reference.
 */
public final class ModelHost implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelHost.class.getName());
    /**
     * Runs of the sample through the whole classifier before the host turns ready: the first TensorFlow runs pay
     * for graph optimisation, and the JIT compiles the decoding path. With calibration (which runs the model at every
     * batch size the engine will use) one is enough for the rest.
     */
    private static final int WARM_UP_RUNS = 3;
    private static final int WARM_UP_RUNS_AFTER_CALIBRATION = 1;
    private static final int PREPROCESS_WARM_UP_RUNS = 40;
    private static final Duration PREPROCESS_WARM_UP = Duration.ofMillis(500);
    /** The version of a model loaded from one file or directory rather than from a directory of versions. */
    public static final String SINGLE_VERSION = "1";
    private static final String SERVING = "serving";
    private static final String REFUSED = "refused: ";
    /**
     * While the model is failing, how often the sample image is run to see whether it works again. Short enough
     * that a transient fault (a GPU/driver hiccup, memory pressure) costs a replica seconds, not a restart; long
     * enough that a dead model costs one failed run every interval.
     */
    public static final Duration SELF_CHECK_INTERVAL = Duration.ofSeconds(2);

    public enum Phase {
        /** Loading the model and warming it up. */
        STARTING,
        READY,
        /** The model failed at run time; traffic should go elsewhere until a self-check passes. */
        FAILING,
        /** The model could not be loaded at all. */
        FAILED
    }

    /**
     * @param reason a sentence for people: why the host is in this phase ("ok" when ready)
     * @param model  the model answering requests: null until loaded (and after a failed load), kept while failing
     */
    public record State(Phase phase, String reason, ServingModel model) {
        public boolean isReady() {
            return phase == Phase.READY;
        }
    }

    private final ClassifierOptions options;
    private final EngineListener listener;
    private final AtomicReference<State> state =
            new AtomicReference<>(new State(Phase.STARTING, "loading model", null));
    private final CompletableFuture<ServingModel> loaded = new CompletableFuture<>();
    private final ScheduledExecutorService selfCheck = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("model-self-check").daemon().factory());
    private final AtomicBoolean selfCheckScheduled = new AtomicBoolean();
    private final ScheduledExecutorService versionPoll = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("model-versions").daemon().factory());
    /** By version number; guarded by itself. */
    private final NavigableMap<Long, String> versionStates = new TreeMap<>();
    private Path versionsDir;
    private Function<Path, Model> versionLoader;
    private Consumer<ServingModel> onVersionReady;
    private boolean closed;

    private ModelHost(ClassifierOptions options, EngineListener listener) {
        this.options = options;
        this.listener = listener;
    }

    /**
     * Starts loading the model {@code loader} returns on a background thread. Once it is built and warmed up,
     * {@code onReady} is called and the host turns ready.
     *
     * @param listener the engine's metrics; shared by every model this host serves
     */
    public static ModelHost loadInBackground(Supplier<Model> loader, ClassifierOptions options,
                                             EngineListener listener, Consumer<ServingModel> onReady) {
        ModelHost host = new ModelHost(options, listener);
        Thread.ofPlatform().name("model-loader").daemon().start(() -> host.load(loader, onReady));
        return host;
    }

    /**
     * Serves the newest version of a TensorFlow Serving style directory ({@code 1/}, {@code 2/}, ...; see
     * {@link ModelVersions}) and, every {@code pollInterval}, looks for a different newest version: it is loaded and
     * warmed up beside the serving one and swapped in with one write of the state, while requests already holding
     * the old version finish on it (it is released when the last one has). A version that fails to load or warm up
     * is refused, with the serving one kept, and not tried again. Removing the newest directory rolls back to the
     * one below it the same way.
     *
     * @param loader loads one version's directory
     */
    public static ModelHost serveVersions(Path dir, Function<Path, Model> loader, ClassifierOptions options,
                                          EngineListener listener, Consumer<ServingModel> onReady,
                                          Duration pollInterval) {
        ModelHost host = new ModelHost(options, listener);
        host.versionsDir = dir;
        host.versionLoader = loader;
        host.onVersionReady = onReady;
        host.versionPoll.scheduleWithFixedDelay(host::pollVersions, 0, pollInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        return host;
    }

    /**
     * The state with its model held for the caller when it is ready: the caller uses that model to the end of its
     * request, then {@link ServingModel#close() closes} it. Any other state is returned as it is, holding nothing.
     */
    public State holdIfReady() {
        while (true) {
            State now = state.get();
            if (!now.isReady() || now.model().tryHold()) {
                return now;
            }
            // that model was swapped out and released meanwhile: the state now has its successor
        }
    }

    /**
     * Every version seen and what became of it: {@code serving}, {@code loading}, {@code refused: <why>} or
     * {@code retired}, newest first; empty for a model loaded from one file or directory.
     */
    public Map<String, String> versions() {
        synchronized (versionStates) {
            Map<String, String> copy = new LinkedHashMap<>();
            versionStates.descendingMap().forEach((v, what) -> copy.put(Long.toString(v), what));
            return copy;
        }
    }

    /** The phase, its reason and the serving model, read at once. */
    public State state() {
        return state.get();
    }

    /**
     * Waits until the model is loaded and warmed up.
     *
     * @throws ModelLoadException the model could not be loaded (the message is for the user)
     */
    public ServingModel awaitLoaded(Duration timeout) {
        try {
            return loaded.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("model not ready after " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the model", e);
        }
    }

    /** Items waiting for the current model right now; zero before it is loaded. */
    public int queueDepth() {
        ServingModel model = state.get().model();
        return model == null ? 0 : model.classifier().engine().queueDepth();
    }

    private void pollVersions() {
        try {
            NavigableMap<Long, Path> onDisk = ModelVersions.list(versionsDir);
            Map.Entry<Long, Path> newest = onDisk.lastEntry();
            ServingModel current = state.get().model();
            if (newest == null || (current != null && current.version().equals(newest.getKey().toString()))) {
                return;
            }
            synchronized (versionStates) {
                if (versionStates.getOrDefault(newest.getKey(), "").startsWith(REFUSED)) {
                    return;
                }
                versionStates.put(newest.getKey(), "loading");
            }
            loadVersion(newest.getKey(), newest.getValue());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "checking " + versionsDir + " for model versions failed", e);
        }
    }

    private void loadVersion(long number, Path dir) {
        String version = Long.toString(number);
        if (state.get().model() == null && !loaded.isDone()) {
            load(() -> versionLoader.apply(dir), version, dir, onVersionReady);
            setVersionState(number, loaded.isCompletedExceptionally() ? REFUSED + state.get().reason() : SERVING);
            return;
        }
        ServingModel next;
        try {
            LOG.info(() -> "loading model version " + version + " from " + dir + " beside the serving one");
            next = prepare(() -> versionLoader.apply(dir), version, dir);
        } catch (RuntimeException | Error e) {
            String reason = e.getMessage();
            setVersionState(number, REFUSED + reason);
            LOG.warning(() -> "model version " + version + " refused, the serving version is kept: " + reason);
            return;
        }
        State old;
        synchronized (this) {
            if (closed) {
                next.close();
                return;
            }
            onVersionReady.accept(next);
            old = state.getAndSet(new State(Phase.READY, "ok", next));
        }
        setVersionState(number, SERVING);
        if (old.model() != null) {
            setVersionState(Long.parseLong(old.model().version()), "retired");
            old.model().close(); // the host's hold: released once the requests holding it have finished
        }
        LOG.info(() -> "model version " + version + " is serving" + (old.model() == null ? ""
                : "; version " + old.model().version() + " finishes its requests and is released"));
    }

    private void setVersionState(long number, String what) {
        synchronized (versionStates) {
            versionStates.put(number, what);
        }
    }

    private void load(Supplier<Model> loader, Consumer<ServingModel> onReady) {
        load(loader, SINGLE_VERSION, options.modelPath(), onReady);
    }

    private void load(Supplier<Model> loader, String version, Path modelPath, Consumer<ServingModel> onReady) {
        ServingModel model;
        try {
            model = prepare(loader, version, modelPath);
        } catch (RuntimeException e) {
            state.set(new State(Phase.FAILED, e.getMessage(), null));
            loaded.completeExceptionally(e);
            return;
        }
        synchronized (this) {
            if (closed) {
                model.close();
                loaded.completeExceptionally(new IllegalStateException("shut down while loading the model"));
                return;
            }
            onReady.accept(model);
            state.set(new State(Phase.READY, "ok", model));
        }
        loaded.complete(model);
    }

    /** @param modelPath where a labels file beside the model is looked for: the version's own directory */
    private ServingModel prepare(Supplier<Model> loader, String version, Path modelPath) {
        long start = System.nanoTime();
        Model model = loader.get();
        ImagePreprocessor preprocessor = null;
        Classifier classifier = null;
        try {
            InputPlan plan = InputPlan.decide(model.info(), modelPath, options.labelsPath(),
                    options.scaling());
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
                    this::failed, calibration == null ? null : calibration.toMap(engine.workers()));
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

    private ImagePreprocessor newPreprocessor(Model model, InputPlan plan) {
        ModelInfo info = model.info();
        ImageLayout layout = ImageLayout.of(info.inputShape()).orElseThrow(() -> new ModelLoadException(
                ImageLayout.notAnImage(info.inputShape())));
        return ImagePreprocessor.withTensorFlowJpeg(layout, plan.scaling(), options.maxPixels(),
                options.jpegScaling(), CpuLimit.detect());
    }

    /**
     * Decodes and resizes the sample until the JIT has compiled that path (bounded in runs and time): interpreted,
     * the resize alone takes tens of milliseconds, and without this the first requests after ready paid for it
     * (demo model: 100, 51, 37, 30 ms against a steady 10 ms).
     */
    private static void warmPreprocessing(ImagePreprocessor preprocessor) {
        long giveUp = System.nanoTime() + PREPROCESS_WARM_UP.toNanos();
        try {
            for (int i = 0; i < PREPROCESS_WARM_UP_RUNS && System.nanoTime() < giveUp; i++) {
                preprocessor.toTensor(SampleImage.jpeg());
            }
        } catch (ImageException e) {
            throw new IllegalStateException("the bundled sample image cannot be read: " + e.getMessage(), e);
        }
    }

    /** The model's best batch size and queue capacity here, or null when calibration is off. */
    private Calibration.Result calibrate(Model model, ImagePreprocessor preprocessor) {
        if (options.calibrationBudget().isZero()) {
            return null;
        }
        float[] sample;
        try {
            sample = preprocessor.toTensor(SampleImage.jpeg());
        } catch (ImageException e) {
            throw new IllegalStateException("the bundled sample image cannot be read: " + e.getMessage(), e);
        }
        Calibration.Result result = Calibration.run(model, sample, options.engine(), options.calibrationBudget(),
                MemoryLimit.detect());
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

    private static void runSample(Classifier classifier) {
        try {
            classifier.classify(SampleImage.jpeg(), 1);
        } catch (ImageException e) {
            throw new IllegalStateException("the bundled sample image cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * TensorFlow failed on {@code model}: the host turns failing (so {@code /readyz} sends traffic elsewhere) and
     * a self-check runs the sample image every {@link #SELF_CHECK_INTERVAL} until the model answers again.
     */
    private void failed(ServingModel model) {
        State now = state.updateAndGet(s -> s.phase() == Phase.READY && s.model() == model
                ? new State(Phase.FAILING, "the model failed at run time; see the server log", model) : s);
        if (now.phase() == Phase.FAILING && selfCheckScheduled.compareAndSet(false, true)) {
            LOG.warning("the model failed at run time; the replica is unready until a self-check on the sample "
                    + "image passes");
            scheduleSelfCheck();
        }
    }

    private void selfCheck() {
        State failing = state.get();
        if (failing.phase() != Phase.FAILING) {
            selfCheckScheduled.set(false);
            return;
        }
        try {
            runSample(failing.model().classifier());
            selfCheckScheduled.set(false);
            if (state.compareAndSet(failing, new State(Phase.READY, "ok", failing.model()))) {
                LOG.info("self-check passed: the model works again; the replica is ready");
            }
        } catch (RuntimeException e) {
            LOG.warning(() -> "self-check failed, retrying in " + SELF_CHECK_INTERVAL.toSeconds() + " s: " + e);
            scheduleSelfCheck();
        }
    }

    private void scheduleSelfCheck() {
        try {
            selfCheck.schedule(this::selfCheck, SELF_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: nothing left to check
        }
    }

    /** Stops the self-check, finishes the model's queued work and releases it. */
    @Override
    public void close() {
        ServingModel model;
        synchronized (this) {
            closed = true;
            model = state.get().model();
        }
        selfCheck.shutdownNow();
        versionPoll.shutdownNow();
        if (model != null) {
            model.close();
        }
    }
}

package dev.mlapp.inference;

import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelVersions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
import java.util.logging.Logger;

/**
 * Holds the model being served and its state, after TF Serving's split of a model server: a {@link VersionSource}
 * says which version to serve (for a directory of versions), a {@link ModelPreparer} loads and warms it up, and
 * the host only holds, swaps and reports. When TensorFlow fails at run time it takes the replica out of rotation
 * and runs the preparer's self-check until the model works again.
 *
 * <p>Everything a request or a probe needs is one immutable {@link State} behind one atomic reference: the phase,
 * its reason and the model serving, read together. A request takes the state's model once and finishes on it,
 * which is what lets a later version be prepared beside the current one and swapped in with one write of the
 * reference.
 */
public final class ModelHost implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelHost.class.getName());
    /** The version of a model loaded from one file or directory rather than from a directory of versions. */
    public static final String SINGLE_VERSION = "1";
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

    private final ModelPreparer preparer;
    private final Consumer<ServingModel> onReady;
    /** Null for a model loaded from one file or directory. */
    private final VersionSource versions;
    private final AtomicReference<State> state =
            new AtomicReference<>(new State(Phase.STARTING, "loading model", null));
    private final CompletableFuture<ServingModel> loaded = new CompletableFuture<>();
    private final ScheduledExecutorService selfCheck = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("model-self-check").daemon().factory());
    private final AtomicBoolean selfCheckScheduled = new AtomicBoolean();
    /** Guarded by this. */
    private boolean closed;

    /** @param versionsDir null for one model; else where {@code versionLoader} loads each version from */
    private ModelHost(ModelPreparer preparer, Consumer<ServingModel> onReady, Path versionsDir,
                      Function<Path, Model> versionLoader) {
        this.preparer = preparer;
        this.onReady = onReady;
        this.versions = versionsDir == null ? null : new VersionSource(versionsDir,
                (version, dir) -> serveVersion(() -> versionLoader.apply(dir), version, dir));
    }

    /**
     * Starts loading the model {@code loader} returns on a background thread. Once it is built and warmed up,
     * {@code onReady} is called and the host turns ready.
     *
     * @param listener the engine's metrics; shared by every model this host serves
     */
    public static ModelHost loadInBackground(Supplier<Model> loader, ClassifierOptions options,
                                             EngineListener listener, Consumer<ServingModel> onReady) {
        ModelHost host = new ModelHost(new ModelPreparer(options, listener), onReady, null, null);
        Thread.ofPlatform().name("model-loader").daemon().start(() -> {
            try {
                host.loadFirst(loader, SINGLE_VERSION, options.modelPath());
            } catch (RuntimeException | Error e) {
                // the state says FAILED, and awaitLoaded throws it
            }
        });
        return host;
    }

    /**
     * Serves the newest version of a TensorFlow Serving style directory ({@code 1/}, {@code 2/}, ...; see
     * {@link ModelVersions}) and, every {@code pollInterval}, looks for a different newest version: it is loaded and
     * warmed up beside the serving one and swapped in with one write of the state, while requests already holding
     * the old version finish on it (it is released when the last one has). A version that fails to load or warm up
     * is refused, with the serving one kept, and not tried again. Removing the newest directory rolls back to the
     * one below it the same way ({@link VersionSource}).
     *
     * @param loader loads one version's directory
     */
    public static ModelHost serveVersions(Path dir, Function<Path, Model> loader, ClassifierOptions options,
                                          EngineListener listener, Consumer<ServingModel> onReady,
                                          Duration pollInterval) {
        ModelHost host = new ModelHost(new ModelPreparer(options, listener), onReady, dir, loader);
        host.versions.start(pollInterval);
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
        return versions == null ? Map.of() : versions.states();
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

    /** The {@link VersionSource}'s target: the first version as the first model, later ones beside the serving one. */
    private boolean serveVersion(Supplier<Model> loader, String version, Path dir) {
        if (state.get().model() == null && !loaded.isDone()) {
            return loadFirst(loader, version, dir);
        }
        LOG.info(() -> "loading model version " + version + " from " + dir + " beside the serving one");
        return swapIn(preparer.prepare(loader, version, dir, this::failed));
    }

    /**
     * The host's first model: a failure turns it FAILED (and {@link #awaitLoaded} throws it), then is rethrown.
     *
     * @return false when the host was closed meanwhile
     */
    private boolean loadFirst(Supplier<Model> loader, String version, Path modelPath) {
        ServingModel model;
        try {
            model = preparer.prepare(loader, version, modelPath, this::failed);
        } catch (RuntimeException | Error e) {
            state.set(new State(Phase.FAILED, e.getMessage(), null));
            loaded.completeExceptionally(e);
            throw e;
        }
        if (!swapIn(model)) {
            loaded.completeExceptionally(new IllegalStateException("shut down while loading the model"));
            return false;
        }
        loaded.complete(model);
        return true;
    }

    /**
     * Makes {@code next} the serving model with one write of the state, and gives up the host's hold on the one it
     * replaces: released once the requests holding it have finished.
     *
     * @return false, with {@code next} released, when the host was closed meanwhile
     */
    private boolean swapIn(ServingModel next) {
        State old;
        synchronized (this) {
            if (closed) {
                next.close();
                return false;
            }
            onReady.accept(next);
            old = state.getAndSet(new State(Phase.READY, "ok", next));
        }
        if (old.model() != null) {
            old.model().close();
        }
        return true;
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
            ModelPreparer.selfCheck(failing.model());
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

    /** Stops polling for versions and the self-check, finishes the model's queued work and releases it. */
    @Override
    public void close() {
        ServingModel model;
        synchronized (this) {
            closed = true;
            model = state.get().model();
        }
        selfCheck.shutdownNow();
        if (versions != null) {
            versions.close();
        }
        if (model != null) {
            model.close();
        }
    }
}

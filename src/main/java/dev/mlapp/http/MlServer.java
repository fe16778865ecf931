package dev.mlapp.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import dev.mlapp.image.ImageException;
import dev.mlapp.inference.Classifier;
import dev.mlapp.inference.InferenceEngine;
import dev.mlapp.inference.ImageLayout;
import dev.mlapp.inference.ImagePipeline;
import dev.mlapp.metrics.AppMetrics;
import dev.mlapp.metrics.EngineMetrics;
import dev.mlapp.model.Labels;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The running server: binds at once (so {@code /healthz} answers while the model loads), loads and warms the
 * model in the background, then turns {@code /readyz} green. {@link #drainAndStop()} is the SIGTERM path.
 *
 * <p>Requests run on virtual threads: a slow client or a request waiting for the model holds no platform
 * thread, while the model itself runs on the inference engine's own threads.
 */
public final class MlServer {

    private static final Logger LOG = Logger.getLogger(MlServer.class.getName());
    /** Model runs before {@code /readyz} turns green: the first TensorFlow runs pay for graph optimisation. */
    private static final int WARM_UP_RUNS = 3;
    private static final String SAMPLE_IMAGE = "samples/sample.jpg";
    /**
     * While the model is failing, how often the sample image is run to see whether it works again. Short enough
     * that a transient fault (a GPU/driver hiccup, memory pressure) costs a replica seconds, not a restart; long
     * enough that a dead model costs one failed run every interval.
     */
    static final Duration SELF_CHECK_INTERVAL = Duration.ofSeconds(2);

    private final ServerConfig config;
    private final HttpServer http;
    private final ExecutorService executor;
    private final Readiness readiness = new Readiness();
    private final AppMetrics metrics;
    private final ServerFilter filter;
    private final Router router = new Router();
    private final CompletableFuture<ServedModel> served = new CompletableFuture<>();
    private final Function<ServerConfig, Model> loader;
    private final ScheduledExecutorService selfCheck = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("model-self-check").daemon().factory());
    private final AtomicBoolean selfCheckScheduled = new AtomicBoolean();

    private MlServer(ServerConfig config, HttpServer http, ExecutorService executor,
                     Function<ServerConfig, Model> loader) {
        this.config = config;
        this.http = http;
        this.executor = executor;
        this.loader = loader;
        this.metrics = new AppMetrics(version(), config.podName());
        this.filter = new ServerFilter(config.podName(), metrics, readiness,
                new ConnectionLimiter(config.maxRequestsPerConnection()), router::label);
    }

    /** Binds, starts serving, and begins loading the model; see {@link #awaitStartup(Duration)}. */
    public static MlServer start(ServerConfig config) {
        return start(config, c -> ModelLoader.load(c.modelPath(), c.session()));
    }

    /** As {@link #start(ServerConfig)}, serving the model {@code loader} returns; for tests of faulty models. */
    static MlServer start(ServerConfig config, Function<ServerConfig, Model> loader) {
        ConnectionTimeouts.applyDefaults();
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
        http.setExecutor(executor);
        MlServer server = new MlServer(config, http, executor, loader);
        server.registerRoutes();
        http.start();
        server.loadInBackground();
        return server;
    }

    private void registerRoutes() {
        StatusHandlers status = new StatusHandlers(config.podName(), readiness, metrics, this::servedOrUnavailable);
        router.get("/whoami", status::whoami)
                .get("/healthz", status::healthz)
                .get("/readyz", status::readyz)
                .get("/metrics", status::metrics);
        if (!config.helloOnly()) {
            StaticFiles files = new StaticFiles();
            PredictHandlers predict = new PredictHandlers(this::servedOrUnavailable, sampleImage(),
                    config.maxBodyBytes(), config.podName(), metrics, this::onModelFailure);
            router.get("/", files::index)
                    .getPrefix(StaticFiles.ASSETS_PREFIX, files::asset)
                    .post("/predict", predict::predict)
                    .post("/api/v1/predict", predict::predictApi)
                    .get("/test", predict::test)
                    .get("/api/v1/model", status::model);
        } else {
            router.get("/", status::whoami);
        }
        HttpContext context = http.createContext("/", router);
        context.getFilters().add(filter);
    }

    private void loadInBackground() {
        if (config.helloOnly()) {
            readiness.ready();
            LOG.info(() -> "serving the load-balancing demo as " + config.podName() + " at " + url());
            return;
        }
        Thread.ofPlatform().name("model-loader").daemon().start(() -> {
            try {
                ServedModel model = loadAndWarmUp();
                served.complete(model);
                readiness.ready();
                LOG.info(() -> "ready: " + model.model().info().name() + " loaded and warmed up in "
                        + Math.round(model.loadMillis()) + " ms; serving at " + url());
            } catch (RuntimeException e) {
                readiness.failed(e.getMessage());
                served.completeExceptionally(e);
            }
        });
    }

    private ServedModel loadAndWarmUp() {
        long start = System.nanoTime();
        Model model = loader.apply(config);
        Classifier classifier = null;
        try {
            classifier = newClassifier(model);
            for (int i = 0; i < WARM_UP_RUNS; i++) {
                classifier.classify(sampleImage(), 1);
            }
            double millis = (System.nanoTime() - start) / 1e6;
            ModelInfo info = model.info();
            metrics.modelLoaded(info.name(), info.format(), info.sha256(), millis / 1000);
            return new ServedModel(model, classifier, millis);
        } catch (ImageException | RuntimeException e) {
            if (classifier != null) {
                classifier.close(); // the engine's threads and the JPEG decoder's session
            }
            model.close();
            if (e instanceof ImageException) {
                throw new IllegalStateException("the bundled sample image cannot be read: " + e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    private Classifier newClassifier(Model model) {
        ModelInfo info = model.info();
        ImageLayout layout = ImageLayout.of(info.inputShape()).orElseThrow(() -> new ModelLoadException(
                "model input " + java.util.Arrays.toString(info.inputShape()) + " is not an image (height, "
                + "width and 1 or 3 channels, either order); the 'infer' command serves other shapes"));
        Labels labels = Labels.forModel(config.labelsPath(), info.outputItemSize());
        ImagePipeline preprocessor = new ImagePipeline(layout, config.scaling(), config.maxPixels(),
                config.jpegScaling());
        InferenceEngine engine = null;
        try {
            EngineMetrics engineMetrics = new EngineMetrics(metrics.registry());
            engine = config.engine().createEngine(model, engineMetrics);
            engineMetrics.watchQueue(engine::queueDepth);
            return new Classifier(preprocessor, engine, labels, config.engine().deadline(),
                    config.engine().queueCapacity(), config.engine().maxQueueDelay(), engineMetrics);
        } catch (RuntimeException | Error e) {
            // Until the classifier owns them, the decoder's TensorFlow session and the engine's threads are ours.
            if (engine != null) {
                engine.close();
            }
            preprocessor.close();
            throw e;
        }
    }

    private ServedModel servedOrUnavailable() {
        if (!served.isDone()) {
            throw new ApiError(503, "not_ready", "the model is still loading; retry shortly",
                    PredictHandlers.RETRY_AFTER_SECONDS);
        }
        if (served.isCompletedExceptionally()) {
            throw new ApiError(503, "model_unavailable", "the model failed to load: " + readiness.reason(),
                    PredictHandlers.RETRY_AFTER_SECONDS);
        }
        if (readiness.isFailing()) {
            // Quick, retryable refusals while the self-check waits for the model to work again, rather than
            // one slow 500 per request until the load balancer notices /readyz.
            throw new ApiError(503, "model_failing", "the model is failing on this replica; retry shortly",
                    PredictHandlers.RETRY_AFTER_SECONDS);
        }
        return served.join();
    }

    /**
     * A TensorFlow run failed: /readyz turns red so Kubernetes (or HAProxy) stops routing here, and a self-check
     * runs the sample image every {@link #SELF_CHECK_INTERVAL} until the model answers again, then turns it green.
     */
    private void onModelFailure() {
        readiness.failing("the model failed at run time; see the server log");
        if (selfCheckScheduled.compareAndSet(false, true)) {
            LOG.warning("the model failed at run time; /readyz is red until a self-check on the sample image passes");
            selfCheck.schedule(this::selfCheck, SELF_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void selfCheck() {
        if (!readiness.isFailing()) {
            selfCheckScheduled.set(false);
            return;
        }
        try {
            served.join().classifier().classify(sampleImage(), 1);
            selfCheckScheduled.set(false);
            if (readiness.recovered()) {
                LOG.info("self-check passed: the model works again; /readyz is green");
            }
        } catch (RuntimeException | ImageException e) {
            LOG.warning(() -> "self-check failed, retrying in " + SELF_CHECK_INTERVAL.toSeconds() + " s: " + e);
            selfCheck.schedule(this::selfCheck, SELF_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Waits until the model is loaded and warmed up.
     *
     * @throws ModelLoadException the model could not be loaded (the message is for the user)
     */
    public void awaitStartup(Duration timeout) {
        if (config.helloOnly()) {
            return;
        }
        try {
            served.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("model not ready after " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the model", e);
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        String host = config.host().equals("0.0.0.0") ? "localhost" : config.host();
        return "http://" + host + ":" + port() + "/";
    }

    /** Exact paths served, for tests that tie manifests and docs to the code. */
    public Set<String> routes() {
        return router.paths();
    }

    /** Requests being handled right now (graceful shutdown waits for these). */
    public int inFlightRequests() {
        return filter.inFlight();
    }

    public boolean isReady() {
        return readiness.isReady();
    }

    /**
     * Graceful shutdown: /readyz turns red, the server keeps serving for the shutdown delay (so load balancers
     * stop sending), the listener closes, in-flight requests get up to the drain timeout, then everything stops.
     */
    public void drainAndStop() {
        readiness.draining();
        LOG.info(() -> "draining: /readyz is red; " + filter.inFlight() + " request(s) in flight");
        sleep(config.shutdownDelay());
        // stop(n) closes the listener at once, then waits up to n seconds for in-flight exchanges to finish.
        http.stop((int) Math.max(1, Math.ceil(config.drainTimeout().toMillis() / 1000.0)));
        executor.shutdown();
        selfCheck.shutdownNow();
        if (served.isDone() && !served.isCompletedExceptionally()) {
            ServedModel model = served.join();
            model.classifier().close();
            model.model().close();
        }
        LOG.info("stopped");
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] sampleImage() {
        try (InputStream in = MlServer.class.getClassLoader().getResourceAsStream(SAMPLE_IMAGE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks its sample image " + SAMPLE_IMAGE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String version() {
        String version = MlServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}

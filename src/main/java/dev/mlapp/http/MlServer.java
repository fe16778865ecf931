package dev.mlapp.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.metrics.AppMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * The running server: binds at once (so {@code /healthz} answers while the model loads), routes requests to the
 * handlers, and drains on SIGTERM ({@link #drainAndStop()}). It is handed a host that is already loading
 * ({@code serve.Serving} chooses and builds it); the model itself (loading, warm-up, failure and recovery) belongs
 * to the {@link ModelHost}, and {@code /readyz} turns green when the host is ready.
 *
 * <p>Requests run on virtual threads: a slow client or a request waiting for the model holds no platform
 * thread, while the model itself runs on the inference engine's own threads.
 */
public final class MlServer {

    private static final Logger LOG = Logger.getLogger(MlServer.class.getName());

    private final ServerConfig config;
    private final HttpServer http;
    private final ExecutorService executor;
    private final AppMetrics metrics;
    /** Null in the load-balancing demo ({@link ServerConfig#helloOnly()}), which serves no model. */
    private final ModelHost host;
    private final String modelName;
    private final Readiness readiness;
    private final ServerFilter filter;
    private final Router router = new Router();

    private MlServer(ServerConfig config, HttpServer http, ExecutorService executor, AppMetrics metrics,
                     ModelHost host, String modelName) {
        this.config = config;
        this.http = http;
        this.executor = executor;
        this.metrics = metrics;
        this.host = host;
        this.modelName = modelName;
        this.readiness = new Readiness(host);
        this.filter = new ServerFilter(config.podName(), metrics, readiness,
                new ConnectionLimiter(config.maxRequestsPerConnection()), router::label);
    }

    /**
     * Binds and starts serving {@code host}'s model; see {@link #awaitStartup(Duration)}.
     *
     * @param host      the model host, already loading; null for the load-balancing demo, which serves no model
     * @param modelName the model's name in the Open Inference Protocol's {@code /v2/models/{name}}
     */
    public static MlServer start(ServerConfig config, AppMetrics metrics, ModelHost host, String modelName) {
        ConnectionTimeouts.applyDefaults();
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 1024);
        } catch (IOException e) {
            if (host != null) {
                host.close();
            }
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
        http.setExecutor(executor);
        MlServer server = new MlServer(config, http, executor, metrics, host, modelName);
        server.registerRoutes();
        http.start();
        return server;
    }

    /** The model being served, once loaded; empty in hello mode or while loading. */
    public java.util.Optional<ServingModel> model() {
        return host == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(host.state().model());
    }

    private void registerRoutes() {
        StatusHandlers status = new StatusHandlers(config.podName(), readiness, metrics, host);
        router.get("/whoami", status::whoami)
                .get("/healthz", status::healthz)
                .get("/readyz", status::readyz)
                .get("/metrics", status::metrics);
        if (host != null) {
            StaticFiles files = new StaticFiles();
            PredictHandlers predict = new PredictHandlers(host, config.maxBodyBytes(), config.podName(), metrics);
            router.get("/", files::index)
                    .getPrefix(StaticFiles.ASSETS_PREFIX, files::asset)
                    .post("/predict", predict::predict)
                    .post("/api/v1/predict", predict::predictApi)
                    .get("/test", predict::test)
                    .get("/api/v1/model", status::model)
                    .mount(OpenInference.ROOT, openInference());
        } else {
            router.get("/", status::whoami);
        }
        HttpContext context = http.createContext("/", router);
        context.getFilters().add(filter);
    }

    private OpenInference openInference() {
        return new OpenInference(modelName, host, readiness, config.maxBodyBytes(), metrics, version());
    }

    /** The model's name in the Open Inference Protocol's {@code /v2/models/{name}}. */
    public String modelName() {
        return modelName;
    }

    /**
     * Waits until the model is loaded and warmed up.
     *
     * @throws dev.mlapp.model.ModelLoadException the model could not be loaded (the message is for the user)
     */
    public void awaitStartup(Duration timeout) {
        if (host != null) {
            host.awaitLoaded(timeout);
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        String bound = config.host().equals("0.0.0.0") ? "localhost" : config.host();
        return "http://" + bound + ":" + port() + "/";
    }

    /** Exact paths served, for tests that tie manifests and docs to the code. */
    public Set<String> routes() {
        return router.paths();
    }

    public boolean isReady() {
        return readiness.status().isReady();
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
        if (host != null) {
            host.close();
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

    /** The jar's version ({@code dev} when run from classes), as metrics and the Open Inference Protocol report it. */
    public static String version() {
        String version = MlServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}

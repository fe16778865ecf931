package dev.mlapp.serve;

import static dev.mlapp.serve.ServeSettings.MODEL;
import static dev.mlapp.serve.ServeSettings.MODEL_NAME;
import static dev.mlapp.serve.ServeSettings.VERSION_POLL_INTERVAL;
import static dev.mlapp.serve.ServeSettings.WEIGHTS;

import dev.mlapp.http.MlServer;
import dev.mlapp.http.ServerConfig;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.metrics.AppMetrics;
import dev.mlapp.metrics.EngineMetrics;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.ModelVersions;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The one place {@code serve} is put together (as {@code jwebserver}'s launcher makes one call to
 * {@code SimpleFileServer}): the metrics, the model host (a directory of numbered versions or one model, and the
 * loader), then the HTTP server, which is handed the ready parts and only binds, routes and drains.
 */
public final class Serving {

    private static final Logger LOG = Logger.getLogger(Serving.class.getName());

    private Serving() {
    }

    /** Binds, starts serving, and begins loading the model; see {@link MlServer#awaitStartup}. */
    public static MlServer start(ServeConfig config) {
        return start(config, c -> ModelLoader.load(c.get(MODEL), c.get(WEIGHTS), c.engine().sessionOptions()));
    }

    /** As {@link #start(ServeConfig)}, serving the model {@code loader} returns; for tests of faulty models. */
    static MlServer start(ServeConfig config, Function<ServeConfig, Model> loader) {
        ServerConfig server = config.server();
        AppMetrics metrics = new AppMetrics(MlServer.version(), server.podName());
        ModelHost host = server.helloOnly() ? null : host(config, loader, metrics);
        return MlServer.start(server, metrics, host, modelName(config.get(MODEL_NAME), config.get(MODEL)));
    }

    /** The one call site of the host's factories: a directory of versions, or one model file or directory. */
    private static ModelHost host(ServeConfig config, Function<ServeConfig, Model> loader, AppMetrics metrics) {
        EngineMetrics engineMetrics = new EngineMetrics(metrics.registry());
        Path model = config.get(MODEL);
        ModelHost host = model != null && ModelVersions.isVersionDirectory(model)
                ? ModelHost.serveVersions(model, version -> loader.apply(config.with(MODEL, version)),
                        config.classifier(), engineMetrics, served -> ready(served, metrics),
                        config.get(VERSION_POLL_INTERVAL))
                : ModelHost.loadInBackground(() -> loader.apply(config), config.classifier(), engineMetrics,
                        served -> ready(served, metrics));
        engineMetrics.watchQueue(host::queueDepth);
        return host;
    }

    private static void ready(ServingModel model, AppMetrics metrics) {
        ModelInfo info = model.info();
        metrics.modelLoaded(info.name(), info.format(), info.sha256(), model.loadMillis() / 1000);
        LOG.fine(() -> "ready: " + info.name() + " loaded and warmed up in " + Math.round(model.loadMillis())
                + " ms"); // serve prints what is served, once, for a person
    }

    /**
     * The model's name in the Open Inference Protocol's {@code /v2/models/{name}}: as set, else the file's (or the
     * versions directory's) base name, {@code demo} for the embedded model.
     */
    static String modelName(String configured, Path modelPath) {
        if (configured != null) {
            return configured;
        }
        if (modelPath == null) {
            return "demo";
        }
        String file = modelPath.toAbsolutePath().normalize().getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}

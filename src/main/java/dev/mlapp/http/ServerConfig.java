package dev.mlapp.http;

import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.model.SessionOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server is told at start. Built by {@code ServeCommand} from flags and environment variables;
 * the defaults below are the ones a Kubernetes pod of the course gets when it sets nothing.
 *
 * @param host                     address to bind; 0.0.0.0 so a pod is reachable on its IP
 * @param port                     container port the course's manifests target
 * @param modelPath                model file or SavedModel directory; null for the embedded demo model
 * @param labelsPath               one label per line; null for the 11 Food-11 classes
 * @param podName                  replica identity shown in {@code X-Pod-Name}
 * @param helloOnly                the course's load-balancing demo: no model, {@code /whoami} and {@code /} only
 * @param scaling                  how pixel values are scaled for the model
 * @param jpegScaling              whether large JPEGs may be decoded at a reduced scale (faster, not PIL-exact)
 * @param maxBodyBytes             largest request body accepted (413 beyond)
 * @param maxPixels                largest declared image size accepted, checked before decoding (413 beyond)
 * @param shutdownDelay            on SIGTERM, how long to keep serving with /readyz red before closing the
 *                                 listener, so load balancers stop sending first (Kubernetes' preStop does the
 *                                 same; the local HAProxy cluster relies on this)
 * @param drainTimeout             then, how long in-flight requests may take to finish
 * @param maxRequestsPerConnection after this many requests a keep-alive connection is closed; 0 = never
 * @param engine                   batching, queue and deadline settings of inference
 * @param session                  TensorFlow thread pools
 */
public record ServerConfig(String host, int port, Path modelPath, Path labelsPath, String podName,
                           boolean helloOnly, Scaling scaling, JpegScaling jpegScaling, long maxBodyBytes,
                           long maxPixels,
                           Duration shutdownDelay, Duration drainTimeout, int maxRequestsPerConnection,
                           EngineOptions engine, SessionOptions session) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 5000;
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

    /** Defaults for tests and embedding: loopback, an ephemeral port, the demo model. */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 0, null, null, "local", false, Scaling.UNIT, JpegScaling.EXACT,
                DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PIXELS, Duration.ZERO, DEFAULT_DRAIN_TIMEOUT, 0,
                EngineOptions.DEFAULTS, EngineOptions.DEFAULTS.sessionOptions());
    }

    public ServerConfig withJpegScaling(JpegScaling jpeg) {
        return new ServerConfig(host, port, modelPath, labelsPath, podName, helloOnly, scaling, jpeg, maxBodyBytes,
                maxPixels, shutdownDelay, drainTimeout, maxRequestsPerConnection, engine, session);
    }

    public ServerConfig withModel(Path model) {
        return new ServerConfig(host, port, model, labelsPath, podName, helloOnly, scaling, jpegScaling,
                maxBodyBytes, maxPixels, shutdownDelay, drainTimeout, maxRequestsPerConnection, engine, session);
    }

    public ServerConfig withPodName(String name) {
        return new ServerConfig(host, port, modelPath, labelsPath, name, helloOnly, scaling, jpegScaling,
                maxBodyBytes, maxPixels, shutdownDelay, drainTimeout, maxRequestsPerConnection, engine, session);
    }

    public ServerConfig withHelloOnly(boolean hello) {
        return new ServerConfig(host, port, modelPath, labelsPath, podName, hello, scaling, jpegScaling,
                maxBodyBytes, maxPixels, shutdownDelay, drainTimeout, maxRequestsPerConnection, engine, session);
    }

    public ServerConfig withLimits(long bodyBytes, long pixels, int requestsPerConnection) {
        return new ServerConfig(host, port, modelPath, labelsPath, podName, helloOnly, scaling, jpegScaling,
                bodyBytes, pixels, shutdownDelay, drainTimeout, requestsPerConnection, engine, session);
    }

    public ServerConfig withShutdown(Duration delay, Duration drain) {
        return new ServerConfig(host, port, modelPath, labelsPath, podName, helloOnly, scaling, jpegScaling,
                maxBodyBytes, maxPixels, delay, drain, maxRequestsPerConnection, engine, session);
    }

    public ServerConfig withEngine(EngineOptions engineOptions) {
        return new ServerConfig(host, port, modelPath, labelsPath, podName, helloOnly, scaling, jpegScaling,
                maxBodyBytes, maxPixels, shutdownDelay, drainTimeout, maxRequestsPerConnection, engineOptions,
                session);
    }

    public ServerConfig withSession(SessionOptions sessionOptions) {
        return new ServerConfig(host, port, modelPath, labelsPath, podName, helloOnly, scaling, jpegScaling,
                maxBodyBytes, maxPixels, shutdownDelay, drainTimeout, maxRequestsPerConnection, engine,
                sessionOptions);
    }
}

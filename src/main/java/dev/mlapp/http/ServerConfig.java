package dev.mlapp.http;

import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import dev.mlapp.inference.ClassifierOptions;
import dev.mlapp.inference.EngineOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server is told at start. Built with {@link #builder()}: {@code ServeCommand} sets every field
 * from flags and environment variables (the {@code DEFAULT_} constants are what a Kubernetes pod of the course
 * gets when it sets nothing); tests and embedders set only what they need over the builder's loopback defaults.
 *
 * @param host                     address to bind; 0.0.0.0 so a pod is reachable on its IP
 * @param port                     container port the course's manifests target
 * @param modelPath                model file or SavedModel directory; null for the embedded demo model
 * @param weightsPath              HDF5 weights of {@code model.save_weights()} when modelPath is the architecture JSON
 *                                 of {@code model.to_json()}; null otherwise
 * @param labelsPath               one label per line; null for the 11 Food-11 classes
 * @param podName                  replica identity shown in {@code X-Pod-Name}
 * @param helloOnly                the course's load-balancing demo: no model, {@code /whoami} and {@code /} only
 * @param scaling                  how pixel values are scaled for the model; null to decide from the model
 * @param jpegScaling              whether large JPEGs may be decoded at a reduced scale (faster, not PIL-exact)
 * @param maxBodyBytes             largest request body accepted (413 beyond)
 * @param maxPixels                largest declared image size accepted, checked before decoding (413 beyond)
 * @param shutdownDelay            on SIGTERM, how long to keep serving with /readyz red before closing the
 *                                 listener, so load balancers stop sending first (Kubernetes' preStop does the
 *                                 same; the local HAProxy cluster relies on this)
 * @param drainTimeout             then, how long in-flight requests may take to finish
 * @param maxRequestsPerConnection after this many requests a keep-alive connection is closed; 0 = never
 * @param engine                   batching, queue and deadline settings of inference, and TensorFlow's thread
 *                                 pools ({@link EngineOptions#sessionOptions()})
 * @param modelName                the model's name in the Open Inference Protocol's {@code /v2/models/{name}};
 *                                 null for the model file's base name ({@code demo} for the embedded model)
 * @param versionPollInterval      when {@code modelPath} is a directory of numbered versions, how often it is
 *                                 looked at for a new one (TensorFlow Serving looks every second)
 * @param calibrationBudget        time to spend at warm-up measuring the model's best batch size, lowered to fit the
 *                                 container's memory, and the queue capacity it supports; zero = engine as given
 */
public record ServerConfig(String host, int port, Path modelPath, Path weightsPath, Path labelsPath, String podName,
                           boolean helloOnly, Scaling scaling, JpegScaling jpegScaling, long maxBodyBytes,
                           long maxPixels, Duration shutdownDelay, Duration drainTimeout,
                           int maxRequestsPerConnection, EngineOptions engine, String modelName,
                           Duration versionPollInterval, Duration calibrationBudget) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 5000;
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_VERSION_POLL_INTERVAL = Duration.ofSeconds(2);

    /** Loopback, an ephemeral port, pod "local", the embedded demo model; every other field at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration, to change a few fields of it. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).modelPath(modelPath).weightsPath(weightsPath)
                .labelsPath(labelsPath).podName(podName).helloOnly(helloOnly).scaling(scaling).jpegScaling(jpegScaling)
                .maxBodyBytes(maxBodyBytes)
                .maxPixels(maxPixels).shutdownDelay(shutdownDelay).drainTimeout(drainTimeout)
                .maxRequestsPerConnection(maxRequestsPerConnection).engine(engine).modelName(modelName)
                .versionPollInterval(versionPollInterval)
                .calibrationBudget(calibrationBudget);
    }

    /** What the model host needs to turn a loaded model into a classifier. */
    public ClassifierOptions classifierOptions() {
        return new ClassifierOptions(modelPath, labelsPath, scaling, jpegScaling, maxPixels, engine,
                calibrationBudget);
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Path modelPath;
        private Path weightsPath;
        private Path labelsPath;
        private String podName = "local";
        private boolean helloOnly;
        private Scaling scaling;
        private JpegScaling jpegScaling = JpegScaling.FAST;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private Duration shutdownDelay = Duration.ZERO;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private int maxRequestsPerConnection;
        private EngineOptions engine = EngineOptions.DEFAULTS;
        private String modelName;
        private Duration versionPollInterval = DEFAULT_VERSION_POLL_INTERVAL;
        /** Off unless asked for: tests set the engine they mean to test; {@code serve} calibrates by default. */
        private Duration calibrationBudget = Duration.ZERO;

        private Builder() {
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder modelPath(Path value) {
            modelPath = value;
            return this;
        }

        public Builder weightsPath(Path value) {
            weightsPath = value;
            return this;
        }

        public Builder labelsPath(Path value) {
            labelsPath = value;
            return this;
        }

        public Builder podName(String value) {
            podName = value;
            return this;
        }

        public Builder helloOnly(boolean value) {
            helloOnly = value;
            return this;
        }

        public Builder scaling(Scaling value) {
            scaling = value;
            return this;
        }

        public Builder jpegScaling(JpegScaling value) {
            jpegScaling = value;
            return this;
        }

        public Builder maxBodyBytes(long value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder maxPixels(long value) {
            maxPixels = value;
            return this;
        }

        public Builder shutdownDelay(Duration value) {
            shutdownDelay = value;
            return this;
        }

        public Builder drainTimeout(Duration value) {
            drainTimeout = value;
            return this;
        }

        public Builder maxRequestsPerConnection(int value) {
            maxRequestsPerConnection = value;
            return this;
        }

        public Builder engine(EngineOptions value) {
            engine = value;
            return this;
        }

        public Builder modelName(String value) {
            modelName = value;
            return this;
        }

        public Builder versionPollInterval(Duration value) {
            versionPollInterval = value;
            return this;
        }

        /** Time to spend measuring the model's best batch size at warm-up; zero keeps the engine as configured. */
        public Builder calibrationBudget(Duration value) {
            calibrationBudget = value;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(host, port, modelPath, weightsPath, labelsPath, podName, helloOnly, scaling,
                    jpegScaling, maxBodyBytes, maxPixels, shutdownDelay, drainTimeout, maxRequestsPerConnection,
                    engine, modelName, versionPollInterval, calibrationBudget);
        }
    }
}

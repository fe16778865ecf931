package dev.mlapp.cli;

import dev.mlapp.http.ConnectionTimeouts;
import dev.mlapp.http.MlServer;
import dev.mlapp.http.ServerConfig;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.model.TensorFlowNatives;
import java.time.Duration;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import java.util.stream.Stream;

/** {@code serve}: loads the model, serves it, and drains gracefully on SIGTERM. */
final class ServeCommand {

    private static final Logger LOG = Logger.getLogger(ServeCommand.class.getName());

    static final String HELP = """
            Usage: ./ml-app [serve] [OPTIONS]

            Every option can also be set by the environment variable in brackets; the flag wins.
              --host HOST                        address to bind [HOST] (default 0.0.0.0)
              --port N                           port [PORT] (default 5000)
              --model PATH                       .h5/.keras file or SavedModel directory [MODEL_PATH]
                                                 (default: the embedded demo model, untrained), or a directory
                                                 of numbered versions 1/, 2/, ...: the newest is served and a new
                                                 one swapped in without a restart
              --version-poll-interval DURATION   how often that directory is looked at [VERSION_POLL_INTERVAL]
                                                 (default 2s)
              --model-name NAME                  the model's name in /v2/models/NAME [MODEL_NAME]
                                                 (default: the model file's name without extension; demo)
              --weights FILE                     model.save_weights() .h5 when --model is the model.to_json()
                                                 architecture [WEIGHTS_PATH]
              --labels FILE                      class names, one per line [LABELS_PATH] (default: labels.txt,
                                                 labels.json or class_names.txt next to the model, else Food-11
                                                 for 11 outputs, else class_0...)
              --pod-name NAME                    replica name for X-Pod-Name [POD_NAME] (default: host name)
              --hello                            load-balancing demo only, no model [APP_MODE=hello]
              --scaling 0,1|-1,1|0,255           pixel scaling for the model [INPUT_SCALING] (default: 0,255
                                                 when the model starts with Rescaling, -1,1 for a Teachable
                                                 Machine export, else 0,1)
              --jpeg-scaling fast|exact          fast: a JPEG of at least 4× the model's input is decoded at
                                                 1/2–1/8 scale, to no less than twice the input, then resized
                                                 (a 12 MP photo ~2× cheaper, mean |Δ| ~0.001); exact: every
                                                 JPEG at full size, the model input is PIL's bit for bit
                                                 [JPEG_SCALING] (default fast)
              --max-body-bytes N                 largest upload [MAX_BODY_BYTES] (default 10485760)
              --max-pixels N                     largest image, width × height [MAX_PIXELS] (default 40000000)
              --shutdown-delay DURATION          after SIGTERM, keep serving with /readyz red this long so load
                                                 balancers notice first [SHUTDOWN_DELAY] (default 0s)
              --drain-timeout DURATION           then, time for in-flight work to finish [DRAIN_TIMEOUT] (default 20s)
              --max-requests-per-connection N    close keep-alive connections after N requests
                                                 [MAX_REQUESTS_PER_CONNECTION] (default 0 = never)
              --request-timeout DURATION         a whole request must arrive within this [REQUEST_TIMEOUT] (default 60s)
              --idle-timeout DURATION            idle keep-alive connections are closed [IDLE_TIMEOUT] (default 30s)
              --max-connections N                open connections at most [MAX_CONNECTIONS] (default 1000)
            Inference (thread defaults follow the container's CPU limit, from cgroup cpu.max / cpu.cfs_quota_us):
            """ + EngineFlags.HELP;

    private static final List<String> FLAGS = Stream.concat(Stream.of("host", "port", "model", "weights", "labels",
            "pod-name",
            "hello", "scaling", "jpeg-scaling", "max-body-bytes", "max-pixels", "shutdown-delay", "drain-timeout",
            "max-requests-per-connection", "mode", "model-name", "version-poll-interval", "request-timeout",
            "idle-timeout", "max-connections", "help"),
            EngineFlags.FLAGS.stream()).toList();

    /** Longest a model may take to load and warm up; a VGG16 .h5 takes seconds, so this is generous. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(10);

    private ServeCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        // Empty after --help, which forCommand has printed.
        return Options.forCommand(args, env, List.of("hello"), FLAGS, HELP)
                .map(options -> run(options, env)).orElse(ExitStatus.OK);
    }

    private static ExitStatus run(Options options, Map<String, String> env) {
        ServerConfig config = config(options, env);
        Optional<String> missing = missingFile(config);
        if (missing.isPresent()) { // before anything is printed or bound: nothing would be served
            System.err.println("ml-app: cannot serve the model: " + missing.get());
            return ExitStatus.FAILURE;
        }
        if (!config.helloOnly()) {
            TensorFlowNatives.preloadInBackground();
        }
        ConnectionTimeouts.apply(
                options.duration("request-timeout", "REQUEST_TIMEOUT", ConnectionTimeouts.DEFAULT_REQUEST_TIMEOUT),
                options.duration("idle-timeout", "IDLE_TIMEOUT", ConnectionTimeouts.DEFAULT_IDLE_TIMEOUT),
                options.intValue("max-connections", "MAX_CONNECTIONS", ConnectionTimeouts.DEFAULT_MAX_CONNECTIONS),
                true);
        LOG.info(StartupLines.process(config));
        if (!config.helloOnly()) {
            LOG.info(StartupLines.engine(config.engine(), !config.calibrationBudget().isZero()));
        }
        MlServer server;
        try {
            server = MlServer.start(config);
        } catch (RuntimeException e) {
            System.err.println("ml-app: cannot start: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        onTermination(() -> {
            server.drainAndStop();
            stopped.countDown();
        });
        LOG.info(StartupLines.listening(server.url(), config.helloOnly()));
        try {
            server.awaitStartup(STARTUP_TIMEOUT);
        } catch (RuntimeException e) {
            System.err.println("ml-app: cannot serve the model: " + e.getMessage());
            Runtime.getRuntime().halt(ExitStatus.FAILURE.code());
        }
        server.model().ifPresent(model -> LOG.info(StartupLines.model(model)));
        LOG.info(StartupLines.ready(server.url(), config.helloOnly()));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitStatus.OK;
    }

    /**
     * SIGTERM (Kubernetes, the local cluster) and SIGINT (Ctrl-C) drain the server and then let {@code run}
     * return normally, so the process exits 0 rather than the JVM's 143 for a signal.
     */
    @SuppressWarnings("restriction")
    private static void onTermination(Runnable drain) {
        Runnable once = new Runnable() {
            private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public void run() {
                if (started.compareAndSet(false, true)) {
                    Thread.ofPlatform().name("drain").start(drain);
                }
            }
        };
        for (String name : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> once.run());
        }
    }

    /** A model or weights path that names nothing, as the sentence to print; empty when both are there or unset. */
    private static Optional<String> missingFile(ServerConfig config) {
        if (config.helloOnly()) {
            return Optional.empty();
        }
        if (config.modelPath() != null && !Files.exists(config.modelPath())) {
            return Optional.of("model file " + config.modelPath() + " does not exist");
        }
        if (config.weightsPath() != null && !Files.exists(config.weightsPath())) {
            return Optional.of("weights file " + config.weightsPath() + " does not exist");
        }
        return Optional.empty();
    }

    static ServerConfig config(Options options, Map<String, String> env) {
        Scaling scaling;
        try {
            scaling = options.get("scaling", "INPUT_SCALING").map(Scaling::parse).orElse(null);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        JpegScaling jpegScaling = options.choice("jpeg-scaling", "JPEG_SCALING", JpegScaling.class,
                JpegScaling.FAST);
        boolean hello = options.flag("hello", null)
                || options.get("mode", "APP_MODE", "ml").equalsIgnoreCase("hello");
        return ServerConfig.builder()
                .host(options.get("host", "HOST", ServerConfig.DEFAULT_HOST))
                .port(options.intValue("port", "PORT", ServerConfig.DEFAULT_PORT))
                .modelPath(options.get("model", "MODEL_PATH").map(Path::of).orElse(null))
                .weightsPath(options.get("weights", "WEIGHTS_PATH").map(Path::of).orElse(null))
                .modelName(options.get("model-name", "MODEL_NAME").orElse(null))
                .versionPollInterval(options.duration("version-poll-interval", "VERSION_POLL_INTERVAL",
                        ServerConfig.DEFAULT_VERSION_POLL_INTERVAL))
                .labelsPath(options.get("labels", "LABELS_PATH").map(Path::of).orElse(null))
                .podName(options.get("pod-name", "POD_NAME").orElseGet(() -> hostName(env)))
                .helloOnly(hello)
                .scaling(scaling)
                .jpegScaling(jpegScaling)
                .maxBodyBytes(options.longValue("max-body-bytes", "MAX_BODY_BYTES",
                        ServerConfig.DEFAULT_MAX_BODY_BYTES))
                .maxPixels(options.longValue("max-pixels", "MAX_PIXELS", ServerConfig.DEFAULT_MAX_PIXELS))
                .shutdownDelay(options.duration("shutdown-delay", "SHUTDOWN_DELAY", Duration.ZERO))
                .drainTimeout(options.duration("drain-timeout", "DRAIN_TIMEOUT",
                        ServerConfig.DEFAULT_DRAIN_TIMEOUT))
                .maxRequestsPerConnection(options.intValue("max-requests-per-connection",
                        "MAX_REQUESTS_PER_CONNECTION", 0))
                .engine(EngineFlags.parse(options))
                .calibrationBudget(EngineFlags.calibrationBudget(options))
                .build();
    }

    private static String hostName(Map<String, String> env) {
        String fromEnv = env.get("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}

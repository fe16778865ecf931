package dev.mlapp.cli;

import dev.mlapp.http.ConnectionTimeouts;
import dev.mlapp.http.MlServer;
import dev.mlapp.http.ServerConfig;
import dev.mlapp.model.TensorFlowNatives;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.ServeSettings;
import dev.mlapp.serve.Serving;
import dev.mlapp.serve.Setting.Group;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/** {@code serve}: loads the model, serves it, and drains gracefully on SIGTERM. */
final class ServeCommand {

    private static final Logger LOG = Logger.getLogger(ServeCommand.class.getName());

    static final String HELP = "Usage: ./ml-app [serve] [OPTIONS]\n\n"
            + "Every option can also be set by the environment variable in brackets; the flag wins.\n"
            + Arrays.stream(Group.values())
                    .map(group -> group.heading() + "\n" + ServeSettings.help(ServeSettings.of(group)))
                    .collect(Collectors.joining());

    private static final List<String> FLAGS = ServeSettings.flags(ServeSettings.ALL);

    /** Longest a model may take to load and warm up; a VGG16 .h5 takes seconds, so this is generous. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(10);

    private ServeCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        // Empty after --help, which forCommand has printed.
        return Options.forCommand(args, env, ServeSettings.switches(ServeSettings.ALL), FLAGS, HELP)
                .map(options -> run(options, env)).orElse(ExitStatus.OK);
    }

    private static ExitStatus run(Options options, Map<String, String> env) {
        ServeConfig config = config(options, env);
        ServerConfig server = config.server();
        Optional<String> missing = missingFile(config);
        if (missing.isPresent()) { // before anything is printed or bound: nothing would be served
            System.err.println("ml-app: cannot serve the model: " + missing.get());
            return ExitStatus.FAILURE;
        }
        if (!server.helloOnly()) {
            TensorFlowNatives.preloadInBackground();
        }
        ConnectionTimeouts.apply(config.get(ServeSettings.REQUEST_TIMEOUT), config.get(ServeSettings.IDLE_TIMEOUT),
                config.get(ServeSettings.MAX_CONNECTIONS), true);
        LOG.info(StartupLines.process(server));
        if (!server.helloOnly()) {
            LOG.info(StartupLines.engine(config.engine(), !config.get(ServeSettings.CALIBRATION_BUDGET).isZero()));
        }
        MlServer running;
        try {
            running = Serving.start(config);
        } catch (RuntimeException e) {
            System.err.println("ml-app: cannot start: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        onTermination(() -> {
            running.drainAndStop();
            stopped.countDown();
        });
        LOG.info(StartupLines.listening(running.url(), server.helloOnly()));
        try {
            running.awaitStartup(STARTUP_TIMEOUT);
        } catch (RuntimeException e) {
            System.err.println("ml-app: cannot serve the model: " + e.getMessage());
            Runtime.getRuntime().halt(ExitStatus.FAILURE.code());
        }
        running.model().ifPresent(model -> LOG.info(StartupLines.model(model)));
        LOG.info(StartupLines.ready(running.url(), server.helloOnly()));
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
    private static Optional<String> missingFile(ServeConfig config) {
        if (config.get(ServeSettings.HELLO)) {
            return Optional.empty();
        }
        Path model = config.get(ServeSettings.MODEL);
        if (model != null && !Files.exists(model)) {
            return Optional.of("model file " + model + " does not exist");
        }
        Path weights = config.get(ServeSettings.WEIGHTS);
        if (weights != null && !Files.exists(weights)) {
            return Optional.of("weights file " + weights + " does not exist");
        }
        return Optional.empty();
    }

    /** Every setting from its flag or variable; the pod is named after the host unless told otherwise. */
    static ServeConfig config(Options options, Map<String, String> env) {
        ServeConfig config;
        try {
            config = ServeConfig.read(options::get);
            config.engine(); // its ranges, checked before anything starts
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return config.get(ServeSettings.POD_NAME) != null ? config
                : config.with(ServeSettings.POD_NAME, hostName(env));
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

package dev.mlapp.serve;

import dev.mlapp.http.ConnectionTimeouts;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.serve.Setting.Group;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every setting of {@code serve}, each declared once: flag, environment variable, default, help line and group.
 * The defaults are what a Kubernetes pod of the course gets when it sets nothing; README's settings table lists the
 * same rows in the same order ({@code ServeSettingsTest} compares them). A new setting is one line here, plus the
 * component of the grouped configuration that uses it ({@link ServeConfig}).
 */
public final class ServeSettings {

    private static final EngineOptions ENGINE_DEFAULTS = EngineOptions.DEFAULTS;

    public static final Setting<String> HOST = value("host", "HOST", "HOST", "0.0.0.0", "0.0.0.0",
            "address to bind", Group.SERVER, Function.identity());
    public static final Setting<Integer> PORT = value("port", "N", "PORT", 5000, "5000",
            "port (the course's container port)", Group.SERVER, whole("port"));
    /** Null: the host's name ({@code $HOSTNAME}), which {@code serve} looks up. */
    public static final Setting<String> POD_NAME = value("pod-name", "NAME", "POD_NAME", null, "$HOSTNAME",
            "replica name for X-Pod-Name (Kubernetes' Downward API)", Group.SERVER, Function.identity());
    public static final Setting<Boolean> HELLO = new Setting<>("hello", null, "mode", "APP_MODE", false, "off",
            "load-balancing demo only, no model (or --mode hello)", Group.SERVER,
            v -> List.of("true", "1", "yes", "hello").contains(v.toLowerCase(Locale.ROOT)));

    public static final Setting<Path> MODEL = value("model", "PATH", "MODEL_PATH", null, "the embedded demo model",
            ".h5/.keras file or SavedModel directory (or the model.to_json() JSON with --weights), or a directory of"
                    + " numbered versions 1/, 2/, ...: the newest is served and a new one swapped in without a restart",
            Group.MODEL, Path::of);
    public static final Setting<Path> WEIGHTS = value("weights", "FILE", "WEIGHTS_PATH", null, "none",
            "model.save_weights() .h5 when --model is the model.to_json() architecture", Group.MODEL, Path::of);
    /** TensorFlow Serving looks every second. */
    public static final Setting<Duration> VERSION_POLL_INTERVAL = value("version-poll-interval", "DURATION",
            "VERSION_POLL_INTERVAL", Duration.ofSeconds(2), "2s",
            "with --model a directory of numbered versions, how often it is looked at for a new one", Group.MODEL,
            duration("version-poll-interval"));
    public static final Setting<String> MODEL_NAME = value("model-name", "NAME", "MODEL_NAME", null,
            "the model file's name without extension; demo", "the model's name in /v2/models/NAME", Group.MODEL,
            Function.identity());
    public static final Setting<Path> LABELS = value("labels", "FILE", "LABELS_PATH", null,
            "beside the model, else Food-11", "class names, one per line (labels.txt, labels.json or"
                    + " class_names.txt next to the model when unset; 11 outputs get Food-11, others class_0...)",
            Group.MODEL, Path::of);

    public static final Setting<Scaling> SCALING = value("scaling", "0,1|-1,1|0,255", "INPUT_SCALING", null,
            "from the model", "pixel scaling for the model; unset: 0,255 when the model starts with Rescaling, -1,1"
                    + " for a Teachable Machine export, else 0,1", Group.IMAGES, Scaling::parse);
    public static final Setting<JpegScaling> JPEG_SCALING = value("jpeg-scaling", "fast|exact", "JPEG_SCALING",
            JpegScaling.FAST, "fast", "fast: a JPEG of at least 4x the model's input is decoded at 1/2-1/8 scale,"
                    + " to no less than twice the input, then resized (a 12 MP photo ~2x cheaper, mean |d| ~0.001);"
                    + " exact: every JPEG at full size, the model input is PIL's bit for bit", Group.IMAGES,
            choice("jpeg-scaling", JpegScaling.class));
    public static final Setting<Long> MAX_PIXELS = value("max-pixels", "N", "MAX_PIXELS", 40_000_000L, "40000000",
            "largest image, width x height", Group.IMAGES, wholeLong("max-pixels"));

    public static final Setting<Long> MAX_BODY_BYTES = value("max-body-bytes", "N", "MAX_BODY_BYTES",
            10L * 1024 * 1024, "10485760", "largest request body", Group.CONNECTIONS, wholeLong("max-body-bytes"));
    public static final Setting<Integer> MAX_REQUESTS_PER_CONNECTION = value("max-requests-per-connection", "N",
            "MAX_REQUESTS_PER_CONNECTION", 0, "0 (never)", "close keep-alive connections after N requests, so"
                    + " clients re-spread over pods", Group.CONNECTIONS, whole("max-requests-per-connection"));
    /** The JDK server's limits are process-wide, so their defaults live with them, in {@link ConnectionTimeouts}. */
    public static final Setting<Duration> REQUEST_TIMEOUT = value("request-timeout", "DURATION", "REQUEST_TIMEOUT",
            ConnectionTimeouts.DEFAULT_REQUEST_TIMEOUT, ConnectionTimeouts.DEFAULT_REQUEST_TIMEOUT.toSeconds() + "s",
            "a whole request (headers and body) must arrive within this", Group.CONNECTIONS,
            duration("request-timeout"));
    public static final Setting<Duration> IDLE_TIMEOUT = value("idle-timeout", "DURATION", "IDLE_TIMEOUT",
            ConnectionTimeouts.DEFAULT_IDLE_TIMEOUT, ConnectionTimeouts.DEFAULT_IDLE_TIMEOUT.toSeconds() + "s",
            "idle keep-alive connections are closed", Group.CONNECTIONS, duration("idle-timeout"));
    public static final Setting<Integer> MAX_CONNECTIONS = value("max-connections", "N", "MAX_CONNECTIONS",
            ConnectionTimeouts.DEFAULT_MAX_CONNECTIONS, String.valueOf(ConnectionTimeouts.DEFAULT_MAX_CONNECTIONS),
            "open connections at most", Group.CONNECTIONS, whole("max-connections"));
    public static final Setting<Duration> SHUTDOWN_DELAY = value("shutdown-delay", "DURATION", "SHUTDOWN_DELAY",
            Duration.ZERO, "0s", "after SIGTERM, keep serving with /readyz red this long so load balancers notice"
                    + " first", Group.CONNECTIONS, duration("shutdown-delay"));
    public static final Setting<Duration> DRAIN_TIMEOUT = value("drain-timeout", "DURATION", "DRAIN_TIMEOUT",
            Duration.ofSeconds(20), "20s", "then, time for in-flight requests to finish", Group.CONNECTIONS,
            duration("drain-timeout"));

    public static final Setting<Integer> WORKERS = value("workers", "N", "INFERENCE_WORKERS",
            ENGINE_DEFAULTS.workers(), "min(2, CPU limit)", "batches run at once, sharing TensorFlow's threads",
            Group.ENGINE, whole("workers"));
    public static final Setting<Integer> MAX_BATCH_SIZE = value("max-batch-size", "N", "MAX_BATCH_SIZE",
            ENGINE_DEFAULTS.maxBatchSize(), String.valueOf(EngineOptions.DEFAULT_MAX_BATCH_SIZE),
            "most requests per model run", Group.ENGINE, whole("max-batch-size"));
    public static final Setting<Long> BATCH_TIMEOUT_MICROS = value("batch-timeout-micros", "N",
            "BATCH_TIMEOUT_MICROS", ENGINE_DEFAULTS.batchTimeoutMicros(),
            String.valueOf(EngineOptions.DEFAULT_BATCH_TIMEOUT_MICROS),
            "longest a partial batch waits when busy; an idle server never waits", Group.ENGINE,
            wholeLong("batch-timeout-micros"));
    public static final Setting<Integer> QUEUE_CAPACITY = value("queue-capacity", "N", "QUEUE_CAPACITY",
            ENGINE_DEFAULTS.queueCapacity(), String.valueOf(EngineOptions.DEFAULT_QUEUE_CAPACITY),
            "images admitted at once (decoding, queued or running; a batch request counts each); beyond it 503",
            Group.ENGINE,
            whole("queue-capacity"));
    public static final Setting<Duration> MAX_QUEUE_DELAY = value("max-queue-delay", "DURATION", "MAX_QUEUE_DELAY",
            ENGINE_DEFAULTS.maxQueueDelay(), "0 (off)", "refuse at once a request expected to wait longer than this"
                    + " behind those admitted", Group.ENGINE, duration("max-queue-delay"));
    public static final Setting<Duration> REQUEST_DEADLINE = value("request-deadline", "DURATION",
            "REQUEST_DEADLINE", ENGINE_DEFAULTS.deadline(), "10s", "drop a request that waited longer, unrun",
            Group.ENGINE, duration("request-deadline"));
    public static final Setting<Integer> INTRA_OP_THREADS = value("intra-op-threads", "N", "INTRA_OP_THREADS",
            ENGINE_DEFAULTS.intraOpThreads(), "CPU limit", "TensorFlow threads per kernel", Group.ENGINE,
            whole("intra-op-threads"));
    public static final Setting<Integer> INTER_OP_THREADS = value("inter-op-threads", "N", "INTER_OP_THREADS",
            ENGINE_DEFAULTS.interOpThreads(), "min(2, CPU limit)", "TensorFlow kernels at once", Group.ENGINE,
            whole("inter-op-threads"));
    public static final Setting<Duration> CALIBRATION_BUDGET = value("calibration-budget", "DURATION",
            "CALIBRATION_BUDGET", Duration.ofSeconds(2), "2s", "at warm-up, time the model at batch sizes 1, 2, 4..."
                    + " up to --max-batch-size and use the fastest that fits the container's memory; cap the queue"
                    + " at what the model finishes within the deadline (0 = off)", Group.ENGINE,
            notNegative(duration("calibration-budget"), "calibration-budget"));

    /** In the order of {@code --help} and README's table. */
    public static final List<Setting<?>> ALL = List.of(HOST, PORT, POD_NAME, HELLO,
            MODEL, WEIGHTS, VERSION_POLL_INTERVAL, MODEL_NAME, LABELS,
            SCALING, JPEG_SCALING, MAX_PIXELS,
            MAX_BODY_BYTES, MAX_REQUESTS_PER_CONNECTION, REQUEST_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS,
            SHUTDOWN_DELAY, DRAIN_TIMEOUT,
            WORKERS, MAX_BATCH_SIZE, BATCH_TIMEOUT_MICROS, QUEUE_CAPACITY, MAX_QUEUE_DELAY, REQUEST_DEADLINE,
            INTRA_OP_THREADS, INTER_OP_THREADS, CALIBRATION_BUDGET);

    private static final int NAME_COLUMN = 37;
    private static final int WIDTH = 118;

    private ServeSettings() {
    }

    /** The settings of one group, in order. */
    public static List<Setting<?>> of(Group group) {
        return ALL.stream().filter(s -> s.group() == group).toList();
    }

    /** Every flag the settings accept, aliases included. */
    public static List<String> flags(List<Setting<?>> settings) {
        List<String> flags = new ArrayList<>();
        for (Setting<?> s : settings) {
            flags.add(s.flag());
            if (s.alias() != null) {
                flags.add(s.alias());
            }
        }
        return flags;
    }

    /** The flags that take no value. */
    public static List<String> switches(List<Setting<?>> settings) {
        return settings.stream().filter(Setting::isSwitch).map(Setting::flag).toList();
    }

    /** {@code --help}'s lines for these settings: flag and value, then the help, [variable] and (default). */
    public static String help(List<Setting<?>> settings) {
        StringBuilder out = new StringBuilder();
        for (Setting<?> s : settings) {
            String name = "  --" + s.flag() + (s.isSwitch() ? "" : " " + s.valueName());
            String text = s.help() + " [" + s.envText() + "] (default " + s.defaultText() + ")";
            out.append(wrap(name, text));
        }
        return out.toString();
    }

    private static String wrap(String name, String text) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(name);
        if (line.length() >= NAME_COLUMN - 1) {
            out.append(line).append('\n');
            line.setLength(0);
        }
        for (String word : text.split(" ")) {
            boolean first = line.length() <= NAME_COLUMN;
            if (!first && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line.setLength(0);
                first = true;
            }
            if (first) {
                line.append(" ".repeat(NAME_COLUMN - line.length()));
            } else {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line).append('\n').toString();
    }

    private static <T> Setting<T> value(String flag, String valueName, String env, T defaultValue,
                                        String defaultText, String help, Group group, Function<String, T> parser) {
        return new Setting<>(flag, valueName, null, env, defaultValue, defaultText, help, group, parser);
    }

    private static Function<String, Integer> whole(String flag) {
        return number(flag, Integer::valueOf);
    }

    private static Function<String, Long> wholeLong(String flag) {
        return number(flag, Long::valueOf);
    }

    private static <T> Function<String, T> number(String flag, Function<String, T> parse) {
        return v -> {
            try {
                return parse.apply(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + flag + " wants a whole number, not '" + v + "'");
            }
        };
    }

    private static Function<String, Duration> duration(String flag) {
        return v -> Durations.parse(flag, v);
    }

    private static Function<String, Duration> notNegative(Function<String, Duration> parser, String flag) {
        return parser.andThen(d -> {
            if (d.isNegative()) {
                throw new IllegalArgumentException("--" + flag + " must not be negative");
            }
            return d;
        });
    }

    /** One of an enum's constants, named in any case, e.g. {@code --jpeg-scaling fast}. */
    private static <E extends Enum<E>> Function<String, E> choice(String flag, Class<E> type) {
        return v -> Arrays.stream(type.getEnumConstants()).filter(c -> c.name().equalsIgnoreCase(v)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--" + flag + " wants one of "
                        + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                        + ", not '" + v + "'"));
    }
}

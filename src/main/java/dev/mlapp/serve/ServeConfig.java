package dev.mlapp.serve;

import static dev.mlapp.serve.ServeSettings.*;

import dev.mlapp.http.ServerConfig;
import dev.mlapp.inference.ClassifierOptions;
import dev.mlapp.inference.EngineOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of every {@link ServeSettings setting}: those read from flags and variables, or set by a test, and
 * otherwise the default. The components are given their group of it ({@link #server()}, {@link #engine()},
 * {@link #classifier()}), never the whole.
 */
public final class ServeConfig {

    /** Null values are kept: an unset model path means the embedded demo model. */
    private final Map<Setting<?>, Object> values;

    private ServeConfig(Map<Setting<?>, Object> values) {
        this.values = values;
    }

    /** Every setting at its default, as {@code serve} with nothing set. */
    public static ServeConfig defaults() {
        return new ServeConfig(Map.of());
    }

    /**
     * For tests and in-process servers ({@code bench}, {@code size}): loopback, an ephemeral port, pod "local", the
     * embedded demo model, and no calibration (a test sets the engine it means to test); the rest at the default.
     */
    public static ServeConfig loopback() {
        return defaults().with(HOST, "127.0.0.1").with(PORT, 0).with(POD_NAME, "local")
                .with(CALIBRATION_BUDGET, Duration.ZERO);
    }

    /**
     * Every setting from its flag or variable, else its default.
     *
     * @throws IllegalArgumentException a value that is not one (the message names the flag)
     */
    public static ServeConfig read(Setting.Lookup lookup) {
        return read(lookup, ALL);
    }

    /** As {@link #read(Setting.Lookup)} for {@code settings} only; the others keep their defaults. */
    public static ServeConfig read(Setting.Lookup lookup, List<Setting<?>> settings) {
        Map<Setting<?>, Object> values = new HashMap<>();
        for (Setting<?> setting : settings) {
            values.put(setting, setting.read(lookup));
        }
        return new ServeConfig(values);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return values.containsKey(setting) ? (T) values.get(setting) : setting.defaultValue();
    }

    /** This configuration with one setting changed. */
    public <T> ServeConfig with(Setting<T> setting, T value) {
        Map<Setting<?>, Object> changed = new HashMap<>(values);
        changed.put(setting, value);
        return new ServeConfig(changed);
    }

    /** This configuration with every engine setting taken from {@code engine}. */
    public ServeConfig withEngine(EngineOptions engine) {
        return with(WORKERS, engine.workers()).with(MAX_BATCH_SIZE, engine.maxBatchSize())
                .with(BATCH_TIMEOUT_MICROS, engine.batchTimeoutMicros()).with(QUEUE_CAPACITY, engine.queueCapacity())
                .with(REQUEST_DEADLINE, engine.deadline()).with(INTRA_OP_THREADS, engine.intraOpThreads())
                .with(INTER_OP_THREADS, engine.interOpThreads()).with(MAX_QUEUE_DELAY, engine.maxQueueDelay());
    }

    /** What the HTTP server is told. */
    public ServerConfig server() {
        return new ServerConfig(get(HOST), get(PORT), get(POD_NAME), get(HELLO), get(MAX_BODY_BYTES),
                get(SHUTDOWN_DELAY), get(DRAIN_TIMEOUT), get(MAX_REQUESTS_PER_CONNECTION));
    }

    /** @throws IllegalArgumentException a knob out of its range (the message says which ranges) */
    public EngineOptions engine() {
        try {
            return new EngineOptions(get(WORKERS), get(MAX_BATCH_SIZE), get(BATCH_TIMEOUT_MICROS),
                    get(QUEUE_CAPACITY), get(REQUEST_DEADLINE), get(INTRA_OP_THREADS), get(INTER_OP_THREADS),
                    get(MAX_QUEUE_DELAY));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("engine options: workers, batch size and queue capacity must be at"
                    + " least 1, the timeout and thread counts at least 0, the deadline positive, the queue delay not"
                    + " negative", e);
        }
    }

    /** What turns a loaded model into a classifier. */
    public ClassifierOptions classifier() {
        return new ClassifierOptions(get(MODEL), get(LABELS), get(SCALING), get(JPEG_SCALING), get(MAX_PIXELS),
                engine(), get(CALIBRATION_BUDGET));
    }
}

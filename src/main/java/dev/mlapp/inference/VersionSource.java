package dev.mlapp.inference;

import dev.mlapp.model.ModelVersions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The versions of one model in a TensorFlow Serving style directory ({@code 1/}, {@code 2/}, ...; see
 * {@link ModelVersions}), after TF Serving's file-system source: it polls the directory, asks its {@link Target}
 * to serve the newest version, and records what became of each. It loads nothing itself and knows nothing of
 * TensorFlow.
 *
 * <p>Policy. The newest version on disk is the one to serve. A version the target refused is not asked for again,
 * and the serving one stays. Removing the newest directory makes the one below it the newest, which is served the
 * same way (a roll-back). Each state is one of {@value #SERVING}, {@value #LOADING}, {@value #REFUSED}{@code <why>}
 * and {@value #RETIRED}.
 */
final class VersionSource implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VersionSource.class.getName());
    static final String SERVING = "serving";
    static final String LOADING = "loading";
    static final String RETIRED = "retired";
    static final String REFUSED = "refused: ";

    /** Serves what the source asks for: loads one version and swaps it in. */
    interface Target {

        /**
         * @return true once {@code version} serves; false when the target has shut down and serves nothing more
         * @throws RuntimeException or {@link Error} the version cannot be served, saying why; the serving one stays
         */
        boolean serve(String version, Path dir);
    }

    private final Path dir;
    private final Target target;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("model-versions").daemon().factory());
    /** By version number; guarded by itself. */
    private final NavigableMap<Long, String> states = new TreeMap<>();
    /** The version serving, null before the first; written by polls only, which run one at a time. */
    private volatile Long serving;

    VersionSource(Path dir, Target target) {
        this.dir = dir;
        this.target = target;
    }

    /** Polls at once, then every {@code interval} after the previous poll (and its load) has finished. */
    void start(Duration interval) {
        poller.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One look at the directory; asks for its newest version when that is not serving nor refused. */
    void poll() {
        try {
            Map.Entry<Long, Path> newest = ModelVersions.list(dir).lastEntry();
            if (newest == null || newest.getKey().equals(serving)) {
                return;
            }
            synchronized (states) {
                if (states.getOrDefault(newest.getKey(), "").startsWith(REFUSED)) {
                    return;
                }
                states.put(newest.getKey(), LOADING);
            }
            ask(newest.getKey(), newest.getValue());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "checking " + dir + " for model versions failed", e);
        }
    }

    private void ask(long number, Path versionDir) {
        String version = Long.toString(number);
        Long previous = serving;
        try {
            if (!target.serve(version, versionDir)) {
                return;
            }
        } catch (RuntimeException | Error e) {
            String reason = e.getMessage();
            set(number, REFUSED + reason);
            LOG.warning(() -> "model version " + version + " refused"
                    + (previous == null ? "" : ", version " + previous + " keeps serving") + ": " + reason);
            return;
        }
        set(number, SERVING);
        if (previous != null) {
            set(previous, RETIRED);
        }
        serving = number;
        LOG.info(() -> "model version " + version + " is serving" + (previous == null ? ""
                : "; version " + previous + " finishes its requests and is released"));
    }

    private void set(long number, String state) {
        synchronized (states) {
            states.put(number, state);
        }
    }

    /** Every version seen and what became of it, newest first. */
    Map<String, String> states() {
        synchronized (states) {
            Map<String, String> copy = new LinkedHashMap<>();
            states.descendingMap().forEach((v, state) -> copy.put(Long.toString(v), state));
            return copy;
        }
    }

    /** Stops polling; a load under way is interrupted. */
    @Override
    public void close() {
        poller.shutdownNow();
    }
}

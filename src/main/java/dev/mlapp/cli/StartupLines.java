package dev.mlapp.cli;

import dev.mlapp.http.ServerConfig;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.model.ModelInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The handful of lines a person reads when {@code serve} starts: who is serving, what model (file, format, size,
 * sha256, input, labels, scaling), with which threads, on which port, and when it was ready. ASCII only: a
 * container's or a CI runner's C locale turns anything else into question marks.
 */
final class StartupLines {

    private StartupLines() {
    }

    static String process(ServerConfig config) {
        Package pkg = StartupLines.class.getPackage();
        String version = pkg == null || pkg.getImplementationVersion() == null ? "" : " " + pkg.getImplementationVersion();
        return "ml-app" + version + (config.helloOnly() ? " (hello mode: no model)" : "") + " on Java "
                + Runtime.version().feature() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, as pod "
                + config.podName();
    }

    /** @param calibrated whether warm-up will calibrate: the batch size and queue are then ceilings it may lower */
    static String engine(EngineOptions engine, boolean calibrated) {
        return String.format(Locale.ROOT, "engine: %d worker(s), batches of up to %d, queue of %d%s; TensorFlow %d"
                        + " intra-op and %d inter-op thread(s)", engine.workers(), engine.maxBatchSize(),
                engine.queueCapacity(), calibrated ? " (at most: calibration at warm-up may lower them)" : "",
                engine.intraOpThreads(), engine.interOpThreads());
    }

    static String listening(String url, boolean hello) {
        return "listening on " + url + (hello ? "" : " (/readyz turns green once the model is loaded and warmed up)");
    }

    static String model(ServingModel served) {
        ModelInfo info = served.info();
        String labels = served.labels().names().stream().limit(3).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "model: %s (%s%s, sha256 %s...), input %s, %d labels (%s%s), scaling %s (%s),"
                        + " loaded and warmed up in %.1f s", info.name(), info.format(), size(info.source()),
                info.sha256().substring(0, Math.min(12, info.sha256().length())), shape(info.inputShape()),
                served.labels().size(), labels, served.labels().size() > 3 ? ", ..." : "", served.plan().scaling().id(),
                served.plan().scalingReason(),
                served.loadMillis() / 1000);
    }

    static String ready(String url, boolean hello) {
        String seconds = String.format(Locale.ROOT, "%.1f", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        return "ml-app ready " + seconds + " s after start: " + (hello
                ? "try: curl " + url + "whoami"
                : "open " + url + " or try: curl -F file=@photo.jpg " + url + "predict");
    }

    private static String shape(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }

    private static String size(String source) {
        try {
            Path file = Path.of(source);
            if (Files.isRegularFile(file)) {
                long bytes = Files.size(file);
                return bytes < 1_000_000 ? String.format(Locale.ROOT, ", %d kB", Math.max(1, bytes / 1000))
                        : String.format(Locale.ROOT, ", %.1f MB", bytes / 1e6);
            }
        } catch (IOException | RuntimeException e) {
            // embedded:…, or a directory: no size worth printing
        }
        return "";
    }
}

package dev.mlapp.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The server's Prometheus metrics, in one registry per server (so tests can run several servers in one JVM).
 * Exposition is the Prometheus client library's own text format writer.
 */
public final class AppMetrics {

    /** Latency buckets from 1 ms to 30 s: covers a cached /healthz and a VGG16 batch on a throttled pod. */
    private static final double[] LATENCY_BUCKETS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

    private final Counter requests = Counter.builder()
            .name("http_requests_total").help("HTTP requests answered, by route, method and status code.")
            .labelNames("route", "method", "status").register(registry);
    private final Histogram requestDuration = Histogram.builder()
            .name("http_request_duration_seconds").help("Time from request start to the end of the response.")
            .labelNames("route").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
    private final Gauge inFlight = Gauge.builder()
            .name("http_requests_in_flight").help("Requests being handled right now.").register(registry);
    private final Histogram preprocessDuration = Histogram.builder()
            .name("ml_preprocess_duration_seconds").help("Image decode, resize and scaling per request.")
            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
    private final Histogram inferenceDuration = Histogram.builder()
            .name("ml_inference_duration_seconds").help("Model run that computed a request's output.")
            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
    private final Counter predictions = Counter.builder()
            .name("ml_predictions_total").help("Predictions returned, by label.")
            .labelNames("label").register(registry);
    private final Gauge modelLoadSeconds = Gauge.builder()
            .name("ml_model_load_seconds").help("Time to load and warm up the model at start.").register(registry);
    private final Info modelInfo = Info.builder()
            .name("ml_model_info").help("The model this replica serves.")
            .labelNames("name", "format", "sha256").register(registry);
    private final Info buildInfo = Info.builder()
            .name("ml_app_build_info").help("Version of ml-app and of the Java runtime.")
            .labelNames("version", "java", "pod").register(registry);

    /**
     * The JVM's own metrics, registered on a background thread: their JMX and diagnostic-command setup loads ~2000
     * classes (0.3–0.6 s of a cold start, before the model could start loading); a scrape waits for it.
     */
    private final CompletableFuture<Void> jvmMetrics;

    public AppMetrics(String version, String pod) {
        buildInfo.addLabelValues(version, Runtime.version().toString(), pod);
        jvmMetrics = new CompletableFuture<>();
        Thread.ofPlatform().name("jvm-metrics-setup").daemon().start(() -> {
            try {
                JvmMetrics.builder().register(registry);
                jvmMetrics.complete(null);
            } catch (RuntimeException | Error e) {
                jvmMetrics.completeExceptionally(e);
            }
        });
    }

    /** The registry, for components (the engine) that add metrics of their own. */
    public PrometheusRegistry registry() {
        return registry;
    }

    public void requestStarted() {
        inFlight.inc();
    }

    public void requestFinished(String route, String method, int status, long nanos) {
        inFlight.dec();
        requests.labelValues(route, method, Integer.toString(status)).inc();
        requestDuration.labelValues(route).observe(nanos / 1e9);
    }

    public void prediction(String label, long preprocessNanos, long inferenceNanos) {
        predictions.labelValues(label).inc();
        preprocessDuration.observe(preprocessNanos / 1e9);
        inferenceDuration.observe(inferenceNanos / 1e9);
    }

    public void modelLoaded(String name, String format, String sha256, double seconds) {
        modelInfo.addLabelValues(name, format, sha256);
        modelLoadSeconds.set(seconds);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void writeTo(OutputStream out) throws IOException {
        try {
            jvmMetrics.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("registering the JVM metrics failed", e.getCause());
        }
        writer.write(out, registry.scrape());
    }
}

package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.metrics.AppMetrics;
import dev.mlapp.model.ModelInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Identity, health and metadata: {@code /whoami}, {@code /healthz}, {@code /readyz}, {@code /metrics},
 * {@code /api/v1/model}.
 *
 * @param host the model's host; null in the load-balancing demo, which serves no model
 */
record StatusHandlers(String podName, Readiness readiness, AppMetrics metrics, ModelHost host) {

    /** The course's load-balancing demo. */
    void whoami(HttpExchange exchange) throws IOException {
        if (Responses.wantsJson(exchange)) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("pod", podName);
            body.put("message", "hello user from " + podName);
            Responses.json(exchange, 200, body);
        } else {
            Responses.text(exchange, 200, "hello user from " + podName);
        }
    }

    /** Liveness: the process serves HTTP. Deliberately independent of the model, so a slow load is not a restart. */
    void healthz(HttpExchange exchange) throws IOException {
        Responses.json(exchange, 200, Map.of("status", "ok", "pod", podName));
    }

    void readyz(HttpExchange exchange) throws IOException {
        Readiness.Status status = readiness.status();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.state());
        body.put("reason", status.reason());
        body.put("pod", podName);
        if (status.isReady()) {
            Responses.json(exchange, 200, body);
        } else {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(ApiError.RETRY_AFTER_SECONDS));
            Responses.json(exchange, 503, body);
        }
    }

    void metrics(HttpExchange exchange) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        metrics.writeTo(out);
        Responses.bytes(exchange, 200, metrics.contentType(), out.toByteArray());
    }

    void model(HttpExchange exchange) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        try (ServingModel served = ApiError.serving(host)) {
            ModelInfo info = served.info();
            body.put("name", info.name());
            body.put("version", served.version());
            body.put("format", info.format());
            body.put("source", info.source());
            body.put("sha256", info.sha256());
            body.put("demo", info.demo());
            body.put("input_shape", Arrays.stream(info.inputShape()).boxed().toList());
            body.put("output_shape", Arrays.stream(info.outputShape()).boxed().toList());
            body.put("labels", served.labels().names());
            body.put("labels_source", served.plan().labelsReason());
            body.put("input_scaling", Map.of("range", served.plan().scaling().id(),
                    "reason", served.plan().scalingReason()));
            body.put("load_ms", Math.round(served.loadMillis()));
            served.calibration().ifPresent(c -> body.put("calibration", c));
            Map<String, String> details = new LinkedHashMap<>();
            info.details().forEach(d -> details.put(d.key(), d.value()));
            body.put("details", details);
        }
        Map<String, String> versions = host.versions();
        if (!versions.isEmpty()) {
            body.put("versions", versions); // a directory of versions: what became of each
        }
        body.put("pod", podName);
        Responses.json(exchange, 200, body);
    }
}

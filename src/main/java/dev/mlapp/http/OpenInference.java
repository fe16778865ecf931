package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import dev.mlapp.inference.Classifier;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.inference.Prediction;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.metrics.AppMetrics;
import dev.mlapp.model.Labels;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Open Inference Protocol (KServe "v2") over REST, everything under {@code /v2}: server metadata, liveness
 * and readiness, model metadata and readiness, and inference, each also under {@code /versions/{v}}.
 *
 * <p>Inference goes through the same classifier as {@code /api/v1/predict} (admission, the batching engine,
 * metrics): encoded images through the image pipeline, tensors straight to the engine. Errors use the protocol's
 * shape, {@code {"error": "a sentence"}}, with the status codes of the rest of the server.
 */
final class OpenInference implements Router.Mount {

    static final String ROOT = "/v2";
    static final List<String> EXTENSIONS = List.of("binary_tensor_data", "classification");
    private static final String MODELS = ROOT + "/models/";
    private static final String BINARY = "application/octet-stream";

    /** A request's model route: {@code action} is "" (metadata), {@code ready} or {@code infer}. */
    private record ModelRoute(String name, String version, String action) {
    }

    private final String modelName;
    private final ModelHost host;
    private final Readiness readiness;
    private final long maxBodyBytes;
    private final AppMetrics metrics;
    private final String serverVersion;

    OpenInference(String modelName, ModelHost host, Readiness readiness, long maxBodyBytes, AppMetrics metrics,
                  String serverVersion) {
        this.modelName = modelName;
        this.host = host;
        this.readiness = readiness;
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.serverVersion = serverVersion;
    }

    @Override
    public String label(String path) {
        return switch (path) {
            case ROOT, ROOT + "/health/live", ROOT + "/health/ready" -> path;
            default -> {
                ModelRoute route = modelRoute(path);
                if (route == null) {
                    yield Router.UNMATCHED;
                }
                yield MODELS + "{name}" + (route.version() == null ? "" : "/versions/{version}")
                        + (route.action().isEmpty() ? "" : "/" + route.action());
            }
        };
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (ApiError e) {
            error(exchange, e);
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        switch (path) {
            case ROOT -> {
                requireMethod(exchange, "GET");
                Map<String, Object> server = new LinkedHashMap<>();
                server.put("name", "ml-app");
                server.put("version", serverVersion);
                server.put("extensions", EXTENSIONS);
                Responses.json(exchange, 200, server);
            }
            case ROOT + "/health/live" -> {
                requireMethod(exchange, "GET");
                Responses.json(exchange, 200, Map.of("live", true));
            }
            case ROOT + "/health/ready" -> {
                requireMethod(exchange, "GET");
                boolean ready = readiness.status().isReady(); // red while draining, as /readyz
                ready(exchange, Map.of("ready", ready), ready);
            }
            default -> {
                ModelRoute route = modelRoute(path);
                if (route == null) {
                    throw ApiError.notFound(path);
                }
                checkName(route);
                switch (route.action()) {
                    case "" -> {
                        requireMethod(exchange, "GET");
                        try (ServingModel served = ApiError.serving(host)) {
                            checkVersion(route, served);
                            Responses.json(exchange, 200, metadata(served));
                        }
                    }
                    case "ready" -> {
                        requireMethod(exchange, "GET");
                        ModelHost.State state = host.state();
                        if (state.model() != null) {
                            checkVersion(route, state.model());
                        }
                        boolean ready = state.isReady();
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("name", modelName);
                        body.put("ready", ready);
                        ready(exchange, body, ready);
                    }
                    default -> {
                        requireMethod(exchange, "POST");
                        infer(exchange, route);
                    }
                }
            }
        }
    }

    /** {@code /v2/models/{name}[/versions/{v}][/ready|/infer]}, or null for any other path. */
    private static ModelRoute modelRoute(String path) {
        if (!path.startsWith(MODELS)) {
            return null;
        }
        String[] parts = path.substring(MODELS.length()).split("/", -1);
        if (parts[0].isEmpty()) {
            return null;
        }
        int next = 1;
        String version = null;
        if (parts.length >= 3 && parts[1].equals("versions") && !parts[2].isEmpty()) {
            version = parts[2];
            next = 3;
        }
        if (parts.length == next) {
            return new ModelRoute(parts[0], version, "");
        }
        if (parts.length == next + 1 && (parts[next].equals("ready") || parts[next].equals("infer"))) {
            return new ModelRoute(parts[0], version, parts[next]);
        }
        return null;
    }

    private void checkName(ModelRoute route) {
        if (!route.name().equals(modelName)) {
            throw new ApiError(404, "model_not_found", "no model named '" + route.name()
                    + "'; this server serves '" + modelName + "'");
        }
    }

    /** Only the version serving can be asked for by number: a server that holds one version at a time. */
    private void checkVersion(ModelRoute route, ServingModel served) {
        if (route.version() != null && !route.version().equals(served.version())) {
            throw new ApiError(404, "version_not_found", "model '" + modelName + "' is not serving version '"
                    + route.version() + "'; it serves version " + served.version());
        }
    }


    private static void ready(HttpExchange exchange, Map<String, Object> body, boolean ready) throws IOException {
        if (!ready) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(ApiError.RETRY_AFTER_SECONDS));
        }
        Responses.json(exchange, ready ? 200 : 503, body);
    }

    private Map<String, Object> metadata(ServingModel served) {
        ModelInfo info = served.info();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", modelName);
        body.put("versions", List.of(served.version()));
        body.put("platform", info.format().equals("savedmodel") ? "tensorflow_savedmodel" : "tensorflow_graphdef");
        body.put("inputs", List.of(tensorMetadata(InferRequest.INPUT, "FP32", info.inputShape())));
        body.put("outputs", List.of(tensorMetadata(InferRequest.OUTPUT, "FP32", info.outputShape())));
        return body;
    }

    private static Map<String, Object> tensorMetadata(String name, String datatype, long[] itemShape) {
        Map<String, Object> tensor = new LinkedHashMap<>();
        tensor.put("name", name);
        tensor.put("datatype", datatype);
        tensor.put("shape", Model.batchShape(itemShape, -1));
        return tensor;
    }

    private void infer(HttpExchange exchange, ModelRoute route) throws IOException {
        try (ServingModel served = ApiError.serving(host)) {
            checkVersion(route, served);
            byte[] body = RequestBodies.read(exchange, maxBodyBytes);
            InferRequest request = InferRequest.parse(body,
                    exchange.getRequestHeaders().getFirst(InferRequest.HEADER_LENGTH), served.info().inputShape(),
                    served.plan().scaling()); // UINT8 pixels are scaled as the model's decoded images are
            List<float[]> outputs = run(served, request);
            respond(exchange, request, outputs, served);
        }
    }

    /**
     * On one serving model from start to end (a model swapped in meanwhile answers the next request), and as one
     * request of the classifier, whether the items are images or tensors: admitted together, sharing batches.
     */
    private List<float[]> run(ServingModel served, InferRequest request) {
        if (request.batchSize() > served.maxItems()) {
            throw new ApiError(413, "batch_too_large", "the request holds " + request.batchSize() + " items and "
                    + "this replica admits at most " + served.maxItems() + " at once; send at most "
                    + served.maxItems() + " per request");
        }
        List<float[]> outputs = new ArrayList<>(request.batchSize());
        for (Prediction prediction : PredictHandlers.classify(served, request.inputs(), 1, metrics)) {
            outputs.add(prediction.output());
        }
        return outputs;
    }

    private void respond(HttpExchange exchange, InferRequest request, List<float[]> outputs, ServingModel served)
            throws IOException {
        Labels labels = served.labels();
        exchange.getResponseHeaders().set(PredictHandlers.MODEL_VERSION_HEADER, served.version());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model_name", modelName);
        body.put("model_version", served.version());
        if (request.id() != null) {
            body.put("id", request.id());
        }
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (InferRequest.RequestedOutput requested : request.outputs()) {
            Map<String, Object> tensor = requested.classification() > 0
                    ? classes(requested, outputs, labels) : scores(requested, outputs);
            if (requested.binary()) {
                byte[] data = binary(tensor.remove("data"));
                tensor.put("parameters", Map.of("binary_data_size", data.length));
                binary.writeBytes(data);
            }
            tensors.add(tensor);
        }
        body.put("outputs", tensors);
        if (binary.size() == 0) {
            Responses.json(exchange, 200, body);
            return;
        }
        byte[] json = Json.GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set(InferRequest.HEADER_LENGTH, Integer.toString(json.length));
        ByteArrayOutputStream all = new ByteArrayOutputStream(json.length + binary.size());
        all.writeBytes(json);
        binary.writeTo(all);
        Responses.bytes(exchange, 200, BINARY, all.toByteArray());
    }

    private static Map<String, Object> scores(InferRequest.RequestedOutput requested, List<float[]> outputs) {
        int width = outputs.getFirst().length;
        float[] data = new float[outputs.size() * width];
        for (int i = 0; i < outputs.size(); i++) {
            System.arraycopy(outputs.get(i), 0, data, i * width, width);
        }
        return tensor(requested.name(), "FP32", new long[] {outputs.size(), width}, data);
    }

    /** The classification extension: per item, the top k as {@code "score:index:label"}, best first. */
    private static Map<String, Object> classes(InferRequest.RequestedOutput requested, List<float[]> outputs,
                                               Labels labels) {
        int k = Math.min(requested.classification(), outputs.getFirst().length);
        List<String> data = new ArrayList<>(outputs.size() * k);
        for (float[] scores : outputs) {
            for (int i : Classifier.ranked(scores, k)) {
                data.add(String.format(Locale.ROOT, "%f:%d:%s", scores[i], i, labels.get(i)));
            }
        }
        return tensor(requested.name(), "BYTES", new long[] {outputs.size(), k}, data);
    }

    private static Map<String, Object> tensor(String name, String datatype, long[] shape, Object data) {
        Map<String, Object> tensor = new LinkedHashMap<>();
        tensor.put("name", name);
        tensor.put("datatype", datatype);
        tensor.put("shape", shape);
        tensor.put("data", data);
        return tensor;
    }

    /** Binary tensor data: FP32 little-endian, BYTES as a 4-byte little-endian length and the UTF-8 bytes. */
    private static byte[] binary(Object data) {
        if (data instanceof float[] floats) {
            ByteBuffer buffer = ByteBuffer.allocate(floats.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(floats);
            return buffer.array();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object element : (List<?>) data) {
            byte[] bytes = element.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(bytes.length).array());
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static void requireMethod(HttpExchange exchange, String method) {
        String actual = exchange.getRequestMethod();
        if (actual.equals(method) || (method.equals("GET") && actual.equals("HEAD"))) {
            return;
        }
        String allowed = method.equals("GET") ? "GET, HEAD" : method;
        exchange.getResponseHeaders().set("Allow", allowed);
        throw new ApiError(405, "method_not_allowed", actual + " is not allowed here; use " + allowed);
    }

    /** The protocol's error object, {@code {"error": "..."}}, with the status and Retry-After of the server's own. */
    private static void error(HttpExchange exchange, ApiError e) throws IOException {
        if (exchange.getResponseCode() != -1) {
            exchange.close();
            return;
        }
        if (e.retryAfterSeconds() > 0) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 413) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        Responses.json(exchange, e.status(), Map.of("error", e.getMessage()));
    }
}

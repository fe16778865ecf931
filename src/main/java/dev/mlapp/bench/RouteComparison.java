package dev.mlapp.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.loadtest.Latencies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The latency of the same image through {@code POST /api/v1/predict} and through the Open Inference Protocol's
 * {@code POST /v2/models/{name}/infer} three ways, sent <em>interleaved</em>, one request per route in turn, each
 * route on its own keep-alive connection, concurrency 1: a machine whose load changes during the run (other jobs,
 * CPU throttling) slows every route alike, so the routes can be compared even where the absolute times cannot.
 */
final class RouteComparison {

    /** Rounds sent before counting, to warm up the connections and the JIT. */
    static final int WARM_UP_ROUNDS = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    private static final String BINARY = "application/octet-stream";

    /** One way of sending the image; {@code headers} are name, value pairs. */
    private record Route(String key, String label, String path, byte[] body, String... headers) {
    }

    /** What one route measured; every counted request was answered 200. */
    record Result(String key, String label, Latencies latencies) {
    }

    private RouteComparison() {
    }

    /**
     * @param modelName the name the server serves its model under in {@code /v2/models/{name}}
     * @throws IOException a request failed or was not answered 200 (the message says which route and why)
     */
    static List<Result> measure(URI base, String modelName, byte[] image, int rounds)
            throws IOException, InterruptedException {
        List<Route> routes = routes(base, modelName, image);
        List<HttpClient> clients = new ArrayList<>();
        List<Latencies> latencies = new ArrayList<>();
        try {
            for (int i = 0; i < routes.size(); i++) {
                // A client each, so that each route keeps its own connection.
                clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT)
                        .build());
                latencies.add(new Latencies());
            }
            for (int round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
                for (int i = 0; i < routes.size(); i++) {
                    long nanos = send(clients.get(i), base, routes.get(i));
                    if (round >= WARM_UP_ROUNDS) {
                        latencies.get(i).recordNanos(nanos);
                    }
                }
            }
        } finally {
            clients.forEach(HttpClient::close);
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            results.add(new Result(routes.get(i).key(), routes.get(i).label(), latencies.get(i)));
        }
        return results;
    }

    /** The tensor's shape is the served model's input, read from its metadata with a batch of one. */
    private static List<Route> routes(URI base, String modelName, byte[] image)
            throws IOException, InterruptedException {
        String model = "/v2/models/" + modelName;
        JsonObject input = modelInput(base, model);
        String inputName = input.get("name").getAsString();
        JsonArray shape = new JsonArray();
        long elements = 1;
        for (var dimension : input.getAsJsonArray("shape")) {
            long d = Math.max(1, dimension.getAsLong()); // -1: the batch dimension
            shape.add(d);
            elements *= d;
        }
        ByteBuffer tensor = ByteBuffer.allocate(Math.toIntExact(elements * Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        while (tensor.hasRemaining()) {
            tensor.putFloat(0.5f);
        }
        ByteBuffer element = ByteBuffer.allocate(Integer.BYTES + image.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(image.length).put(image);
        JsonArray one = new JsonArray();
        one.add(1);
        JsonArray base64 = new JsonArray();
        base64.add(Base64.getEncoder().encodeToString(image));
        JsonObject asJson = tensorInput(inputName, one, "BYTES");
        asJson.add("data", base64);

        String infer = model + "/infer";
        return List.of(
                new Route("v1_predict_raw", "POST /api/v1/predict (raw image body)", "/api/v1/predict", image,
                        "Content-Type", "image/jpeg"),
                binaryRoute("v2_infer_bytes_binary", "POST /v2/.../infer (BYTES, binary extension)", infer,
                        tensorInput(inputName, one, "BYTES"), element.array()),
                new Route("v2_infer_bytes_json", "POST /v2/.../infer (BYTES, base64 in JSON)", infer,
                        request(asJson).getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json"),
                // Not an overhead figure: a tensor skips decoding and resizing.
                binaryRoute("v2_infer_fp32_binary", "POST /v2/.../infer (FP32 " + shapeText(shape)
                        + " tensor, binary)", infer, tensorInput(inputName, shape, "FP32"), tensor.array()));
    }

    /** The binary tensor data extension: the JSON header, then the input's data, the header's length in a header. */
    private static Route binaryRoute(String key, String label, String path, JsonObject input, byte[] data) {
        JsonObject parameters = new JsonObject();
        parameters.addProperty("binary_data_size", data.length);
        input.add("parameters", parameters);
        byte[] header = request(input).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream(header.length + data.length);
        body.writeBytes(header);
        body.writeBytes(data);
        return new Route(key, label, path, body.toByteArray(), "Content-Type", BINARY, HEADER_LENGTH,
                Integer.toString(header.length));
    }

    private static JsonObject tensorInput(String name, JsonArray shape, String datatype) {
        JsonObject input = new JsonObject();
        input.addProperty("name", name);
        input.add("shape", shape);
        input.addProperty("datatype", datatype);
        return input;
    }

    private static String request(JsonObject input) {
        JsonArray inputs = new JsonArray();
        inputs.add(input);
        JsonObject request = new JsonObject();
        request.add("inputs", inputs);
        return request.toString();
    }

    private static String shapeText(JsonArray shape) {
        StringBuilder text = new StringBuilder();
        shape.forEach(d -> text.append(text.isEmpty() ? "" : "×").append(d.getAsLong()));
        return text.toString();
    }

    private static JsonObject modelInput(URI base, String model) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> reply = client.send(HttpRequest.newBuilder(base.resolve(model)).timeout(TIMEOUT)
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (reply.statusCode() != 200) {
                throw new IOException("route comparison: GET " + model + " answered HTTP " + reply.statusCode()
                        + ": " + excerpt(reply.body()));
            }
            return JsonParser.parseString(reply.body()).getAsJsonObject().getAsJsonArray("inputs").get(0)
                    .getAsJsonObject();
        }
    }

    /** Sends one request and reads the whole answer; returns the nanoseconds that took. */
    private static long send(HttpClient client, URI base, Route route) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(route.path())).headers(route.headers())
                .timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofByteArray(route.body())).build();
        long start = System.nanoTime();
        HttpResponse<byte[]> reply = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        long nanos = System.nanoTime() - start;
        if (reply.statusCode() != 200) {
            throw new IOException("route comparison: " + route.label() + " answered HTTP " + reply.statusCode()
                    + ": " + excerpt(new String(reply.body(), StandardCharsets.UTF_8)));
        }
        return nanos;
    }

    private static String excerpt(String body) {
        String line = body.strip().replace('\n', ' ');
        return line.length() <= 300 ? line : line.substring(0, 300) + "…";
    }
}

package dev.mlapp.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * An Open Inference Protocol (KServe v2) REST client written from the published spec (inference_rest.md) and the
 * binary tensor data extension, independent of the server's code: it shares no classes with it.
 */
public final class OpenInferenceClient {

    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    /** A response: status, its JSON object (the whole body, or the part before the binary data), the binary rest. */
    public record Reply(int status, JsonObject json, byte[] binary, HttpResponse<byte[]> http) {

        /** The output's FP32 values, from "data" or from its binary_data_size bytes of the binary part. */
        public float[] floats(String output) {
            int offset = 0;
            for (var element : json.getAsJsonArray("outputs")) {
                JsonObject tensor = element.getAsJsonObject();
                int size = binarySize(tensor);
                if (tensor.get("name").getAsString().equals(output)) {
                    if (size < 0) {
                        var data = tensor.getAsJsonArray("data");
                        float[] values = new float[data.size()];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = data.get(i).getAsFloat();
                        }
                        return values;
                    }
                    float[] values = new float[size / Float.BYTES];
                    ByteBuffer.wrap(binary, offset, size).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                    return values;
                }
                offset += Math.max(size, 0);
            }
            throw new AssertionError("no output " + output + " in " + json);
        }

        private static int binarySize(JsonObject tensor) {
            JsonObject parameters = tensor.getAsJsonObject("parameters");
            return parameters == null || !parameters.has("binary_data_size") ? -1
                    : parameters.get("binary_data_size").getAsInt();
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public OpenInferenceClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** POSTs a JSON {@code $inference_request}. */
    public Reply infer(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** POSTs the JSON followed by binary tensor data, with the extension's header giving the JSON's length. */
    public Reply inferBinary(String path, String json, byte[] binary) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header);
        body.writeBytes(binary);
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/octet-stream")
                .header(HEADER_LENGTH, Integer.toString(header.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    /** FP32 tensor data as the extension lays it out: little-endian, row major. */
    public static byte[] fp32(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    /** BYTES tensor data: each element a 4-byte little-endian length, then its bytes. */
    public static byte[] bytesElements(List<byte[]> elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(e.length).array());
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            int jsonLength = response.headers().firstValue(HEADER_LENGTH).map(Integer::parseInt).orElse(body.length);
            JsonObject json = body.length == 0 ? new JsonObject() : JsonParser.parseString(
                    new String(body, 0, jsonLength, StandardCharsets.UTF_8)).getAsJsonObject();
            return new Reply(response.statusCode(), json, Arrays.copyOfRange(body, jsonLength, body.length), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writing responses: JSON, text, bytes, and the JSON error body. */
final class Responses {

    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";

    private Responses() {
    }

    /** True when the client asked for JSON ({@code Accept: application/json}) rather than the course's text. */
    static boolean wantsJson(HttpExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("application/json");
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        json(exchange, status, Json.GSON.toJson(body));
    }

    /** @param json a JSON text already written */
    static void json(HttpExchange exchange, int status, String json) throws IOException {
        bytes(exchange, status, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    static void text(HttpExchange exchange, int status, String body) throws IOException {
        bytes(exchange, status, TEXT, (body + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static void bytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    static void error(HttpExchange exchange, ApiError error) throws IOException {
        if (error.retryAfterSeconds() > 0) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.code());
        body.put("message", error.getMessage());
        body.put("status", error.status());
        body.put("request_id", RequestIds.of(exchange));
        json(exchange, error.status(), body);
    }
}

package dev.mlapp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small java.net.http client for tests: GET, multipart upload, raw upload. */
public final class HttpTestClient {

    private static final Pattern IN_FLIGHT = Pattern.compile("(?m)^http_requests_in_flight (\\S+)$");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public HttpTestClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.GET().build());
    }

    public HttpResponse<String> method(String method, String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    /** POSTs one multipart part named {@code field}. */
    public HttpResponse<String> upload(String path, String field, byte[] file, String... headers) {
        String boundary = "----mlapp" + UUID.randomUUID();
        byte[] body = multipart(boundary, field, "photo.jpg", file);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public HttpResponse<String> raw(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /**
     * Requests the server is handling right now, from its {@code http_requests_in_flight} gauge, less the scrape
     * that reads it. The first scrape of a server waits for its JVM metrics to register (up to a second or so).
     */
    public int inFlightRequests() {
        HttpResponse<String> metrics = get("/metrics");
        Matcher gauge = IN_FLIGHT.matcher(metrics.body());
        if (metrics.statusCode() != 200 || !gauge.find()) {
            throw new IllegalStateException("no http_requests_in_flight in /metrics: " + metrics.statusCode());
        }
        return (int) Double.parseDouble(gauge.group(1)) - 1;
    }

    public static byte[] multipart(String boundary, String field, String fileName, byte[] file) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

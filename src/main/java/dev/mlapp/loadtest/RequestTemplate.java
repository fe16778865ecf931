package dev.mlapp.loadtest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one request a load test repeats, rendered once to the bytes of an HTTP/1.1 request.
 *
 * @param method      GET or POST
 * @param path        path and query, e.g. {@code /test} or {@code /api/v1/predict?k=5}
 * @param body        request body, empty for GET
 * @param contentType body's media type, null without a body
 */
public record RequestTemplate(String method, String path, byte[] body, String contentType) {

    public static RequestTemplate get(String path) {
        return new RequestTemplate("GET", path, new byte[0], null);
    }

    /** {@code keepAlive=false} asks the server to close after replying, so each request has its own connection. */
    byte[] render(String hostHeader, boolean keepAlive) {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("User-Agent: ml-app-loadtest\r\n")
                .append("Accept: */*\r\n");
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }
}

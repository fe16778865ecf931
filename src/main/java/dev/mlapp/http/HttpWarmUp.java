package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Sends the bundled sample through the server's own listener before {@code /readyz} turns green, so the first
 * requests of a new replica do not pay for loading and initialising the HTTP, multipart and JSON code (the model
 * and the decoder are warmed by the model host; this is everything between the socket and them). Warm-up
 * requests carry a per-process token and are left out of metrics and the access log.
 */
final class HttpWarmUp {

    private static final Logger LOG = Logger.getLogger(HttpWarmUp.class.getName());
    static final String HEADER = "X-ML-App-Warm-Up";
    private static final int READ_TIMEOUT_MILLIS = 60_000;
    private static final String BOUNDARY = "ml-app-warm-up";

    private final String token = UUID.randomUUID().toString();

    boolean isWarmUp(HttpExchange exchange) {
        return token.equals(exchange.getRequestHeaders().getFirst(HEADER));
    }

    /**
     * @param server where the server listens (a wildcard address is reached through loopback)
     * @return requests sent; stops early, without failing, at the first answer that is not 200
     */
    int run(InetSocketAddress server, byte[] jpeg) {
        InetSocketAddress target = server.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort()) : server;
        // Two requests cover the code between the socket and the model: a raw upload answered in JSON, and the
        // course's multipart form answered in text. Once each: what it saves is loading and initialising classes
        // (demo model: the first request after ready 18 → 13 ms, median of 12 cold starts); more would not reach the
        // JIT's thresholds (hundreds of requests) and each costs time to ready (a model run: VGG16 ~170 ms).
        List<byte[]> requests = List.of(
                request("POST", "/api/v1/predict", "image/jpeg", jpeg),
                request("POST", "/predict", "multipart/form-data; boundary=" + BOUNDARY, multipart(jpeg)));
        int sent = 0;
        for (byte[] request : requests) {
            String statusLine = send(target, request);
            sent++;
            if (!statusLine.startsWith("HTTP/1.1 200")) {
                LOG.fine(() -> "HTTP warm-up stopped: " + statusLine);
                break;
            }
        }
        return sent;
    }

    private byte[] request(String method, String path, String contentType, byte[] body) {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\n")
                .append(HEADER).append(": ").append(token).append("\r\n")
                .append("Connection: close\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
        out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] multipart(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + 200);
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sample.jpg\""
                + "\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(jpeg);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** @return the response's status line, or a sentence saying why there was none */
    private static String send(InetSocketAddress target, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(target, READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] response = in.readAllBytes(); // the server closes: the request asked it to
            String text = new String(response, 0, Math.min(response.length, 64), StandardCharsets.US_ASCII);
            int end = text.indexOf("\r\n");
            return end < 0 ? "no status line in " + response.length + " bytes" : text.substring(0, end);
        } catch (IOException e) {
            return "no answer: " + e;
        }
    }
}

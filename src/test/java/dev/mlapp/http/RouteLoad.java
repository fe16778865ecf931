package dev.mlapp.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A light closed-loop client for one of the prediction routes, so that a server's CPU per request can be read from
 * outside it route by route ({@code scripts/bench/server-cpu-by-thread.sh} with {@code ROUTE=...}): each worker keeps one
 * keep-alive connection and sends a pre-rendered request, reading the answer by its Content-Length. Not a test:
 * {@code java -cp target/test-classes dev.mlapp.http.RouteLoad PORT ROUTE IMAGE REQUESTS CONCURRENCY [MODEL]}, where
 * ROUTE is {@code multipart} ({@code POST /predict}, the course's form), {@code raw} ({@code POST /api/v1/predict},
 * the image as the body), {@code v2-binary} (the image as a BYTES input with the binary extension) or
 * {@code v2-fp32} (a 1×224×224×3 FP32 tensor, binary: no decode on the server).
 */
public final class RouteLoad {

    private RouteLoad() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String route = args[1];
        byte[] image = Files.readAllBytes(Path.of(args[2]));
        int requests = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        String model = args.length > 5 ? args[5] : "model";
        byte[] request = render(route, image, model);
        AtomicInteger left = new AtomicInteger(requests);
        ConcurrentHashMap<Integer, Integer> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        Thread[] workers = new Thread[concurrency];
        for (int w = 0; w < concurrency; w++) {
            workers[w] = Thread.ofPlatform().name("route-load-" + w).start(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                    while (left.getAndDecrement() > 0) {
                        out.write(request);
                        out.flush();
                        statuses.merge(readResponse(in), 1, Integer::sum);
                    }
                } catch (IOException e) {
                    statuses.merge(-1, 1, Integer::sum);
                }
            });
        }
        for (Thread t : workers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d requests in %.1f s (%.1f req/s), statuses %s%n", route, requests,
                seconds, requests / seconds, statuses);
    }

    static byte[] render(String route, byte[] image, String model) {
        return switch (route) {
            case "multipart" -> {
                String boundary = "----routeload7MA4YWxkTrZu0gW";
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; "
                        + "filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                body.writeBytes(image);
                body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
                yield http("/predict", "multipart/form-data; boundary=" + boundary, "", body.toByteArray());
            }
            case "raw" -> http("/api/v1/predict", "image/jpeg", "", image);
            case "v2-binary" -> {
                byte[] data = ByteBuffer.allocate(4 + image.length).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(image.length).put(image).array();
                yield binary(model, "\"shape\":[1],\"datatype\":\"BYTES\"", data);
            }
            case "v2-fp32" -> {
                ByteBuffer tensor = ByteBuffer.allocate(224 * 224 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
                while (tensor.hasRemaining()) {
                    tensor.putFloat(0.5f);
                }
                yield binary(model, "\"shape\":[1,224,224,3],\"datatype\":\"FP32\"", tensor.array());
            }
            default -> throw new IllegalArgumentException("route must be multipart, raw, v2-binary or v2-fp32");
        };
    }

    private static byte[] binary(String model, String tensor, byte[] data) {
        byte[] header = ("{\"inputs\":[{\"name\":\"input\"," + tensor + ",\"parameters\":{\"binary_data_size\":"
                + data.length + "}}]}").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[header.length + data.length];
        System.arraycopy(header, 0, body, 0, header.length);
        System.arraycopy(data, 0, body, header.length, data.length);
        return http("/v2/models/" + model + "/infer", "application/octet-stream",
                "Inference-Header-Content-Length: " + header.length + "\r\n", body);
    }

    private static byte[] http(String path, String contentType, String extraHeaders, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n" + extraHeaders + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    /** @return the status; the body is read and dropped */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("the server closed the connection");
        }
        long length = 0;
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(header.substring(15).trim());
            }
        }
        in.skipNBytes(length);
        return Integer.parseInt(status.substring(9, 12));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return text.isEmpty() ? null : text.toString();
            }
            if (c != '\r') {
                text.append((char) c);
            }
        }
        return text.toString();
    }
}

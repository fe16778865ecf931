package dev.mlapp.http;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The floor under this project's HTTP CPU per request: the JDK's {@code com.sun.net.httpserver} on virtual threads,
 * set up as {@link MlServer} sets it up, with a handler that reads the whole request body and answers a JSON body
 * of the size a prediction's has (~400 bytes), nothing else. Measured like the real server
 * ({@code SERVER_CLASS=dev.mlapp.http.BareServer ROUTE=raw scripts/bench/server-cpu-by-thread.sh}, BENCHMARKS.md,
 * "Fifth round"). Not a test: {@code java -cp target/test-classes dev.mlapp.http.BareServer PORT}.
 */
public final class BareServer {

    private BareServer() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 1024);
        http.setExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory()));
        byte[] answer = ("{\"label\":\"Noodles-Pasta\",\"confidence\":0.5,\"top_k\":[" + "{\"label\":\"Rice\","
                + "\"probability\":0.1},".repeat(4) + "{\"label\":\"Soup\",\"probability\":0.1}],\"inference_ms\":"
                + "1.0,\"preprocess_ms\":1.0,\"queue_ms\":0.1,\"batch_size\":1,\"pod\":\"local\"}")
                .getBytes(StandardCharsets.UTF_8);
        http.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        http.start();
        System.out.println("listening on " + args[0]);
    }
}

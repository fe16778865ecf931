package dev.mlapp.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/** The running HTTP server. Work in progress: routes land with the serving core. */
public final class MlServer {

    private final HttpServer server;

    private MlServer(HttpServer server) {
        this.server = server;
    }

    public static MlServer start(ServerConfig config) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
            server.start();
            return new MlServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void drainAndStop() {
        server.stop(0);
    }
}

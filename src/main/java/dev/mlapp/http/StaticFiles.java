package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web page, from the classpath folder {@code web/}: {@code index.html} at {@code /}, every other file at
 * {@code /assets/<name>}. Names are checked against a strict pattern, so no path ever leaves that folder.
 */
final class StaticFiles {

    static final String ASSETS_PREFIX = "/assets/";
    private static final String ROOT = "web/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml", "png", "image/png",
            "jpg", "image/jpeg", "ico", "image/x-icon", "json", "application/json");

    private record Asset(String contentType, byte[] body) {
    }

    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    void index(HttpExchange exchange) throws IOException {
        send(exchange, "index.html");
    }

    void asset(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getRawPath().substring(ASSETS_PREFIX.length());
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,100}") || name.contains("..")) {
            throw ApiError.notFound(exchange.getRequestURI().getRawPath());
        }
        send(exchange, name);
    }

    private void send(HttpExchange exchange, String name) throws IOException {
        Asset asset = cache.computeIfAbsent(name, StaticFiles::load);
        if (asset.body() == null) {
            throw ApiError.notFound("/" + (name.equals("index.html") ? "" : "assets/" + name));
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        Responses.bytes(exchange, 200, asset.contentType(), asset.body());
    }

    private static Asset load(String name) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return new Asset(null, null);
            }
            String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            return new Asset(TYPES.getOrDefault(extension, "application/octet-stream"), in.readAllBytes());
        } catch (IOException e) {
            return new Asset(null, null);
        }
    }
}

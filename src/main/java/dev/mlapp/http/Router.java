package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Exact-path routing with method checks, so {@code /predictx} is a 404 and {@code GET /predict} a 405 —
 * {@code HttpServer.createContext} matches by prefix and knows nothing of methods.
 * Sets the {@link #ROUTE_ATTRIBUTE} that metrics label requests with.
 */
final class Router implements HttpHandler {

    static final String ROUTE_ATTRIBUTE = "ml-app.route";

    private record Route(Set<String> methods, HttpHandler handler) {
    }

    private final Map<String, Route> exact = new LinkedHashMap<>();
    private final Map<String, Route> prefixes = new LinkedHashMap<>();

    Router get(String path, HttpHandler handler) {
        exact.put(path, new Route(Set.of("GET", "HEAD"), handler));
        return this;
    }

    Router post(String path, HttpHandler handler) {
        exact.put(path, new Route(Set.of("POST"), handler));
        return this;
    }

    /** Every path under {@code prefix} (which ends with '/'), GET and HEAD. */
    Router getPrefix(String prefix, HttpHandler handler) {
        prefixes.put(prefix, new Route(Set.of("GET", "HEAD"), handler));
        return this;
    }

    Set<String> paths() {
        return exact.keySet();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String name = path;
        Route route = exact.get(path);
        if (route == null) {
            for (Map.Entry<String, Route> prefix : prefixes.entrySet()) {
                if (path.startsWith(prefix.getKey())) {
                    route = prefix.getValue();
                    name = prefix.getKey() + "*";
                    break;
                }
            }
        }
        if (route == null) {
            exchange.setAttribute(ROUTE_ATTRIBUTE, "unmatched");
            throw ApiError.notFound(path);
        }
        exchange.setAttribute(ROUTE_ATTRIBUTE, name);
        String method = exchange.getRequestMethod();
        if (!route.methods().contains(method)) {
            exchange.getResponseHeaders().set("Allow", String.join(", ", route.methods()));
            throw new ApiError(405, "method_not_allowed", method + " is not allowed on " + path
                    + "; use " + String.join(" or ", route.methods()));
        }
        route.handler().handle(exchange);
    }
}

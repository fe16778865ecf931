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
 * {@link #label} names a request's route for metrics, from its path alone: the JDK keeps exchange attributes in
 * the context, shared by every exchange on it, so a route stored there is overwritten by concurrent requests.
 */
final class Router implements HttpHandler {

    static final String UNMATCHED = "unmatched";

    private record Route(Set<String> methods, HttpHandler handler) {
    }

    /** A whole path tree handed to one handler, which checks methods itself and names its routes for metrics. */
    interface Mount extends HttpHandler {
        String label(String path);
    }

    private final Map<String, Route> exact = new LinkedHashMap<>();
    private final Map<String, Route> prefixes = new LinkedHashMap<>();
    private final Map<String, Mount> mounts = new LinkedHashMap<>();

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

    /** {@code root} itself and every path under {@code root + "/"}, any method. */
    Router mount(String root, Mount mount) {
        mounts.put(root, mount);
        return this;
    }

    /** Every request asks this twice (route and metrics label), so it compares without building strings. */
    private Mount mountOf(String path) {
        for (Map.Entry<String, Mount> m : mounts.entrySet()) {
            String root = m.getKey();
            if (path.startsWith(root) && (path.length() == root.length() || path.charAt(root.length()) == '/')) {
                return m.getValue();
            }
        }
        return null;
    }

    Set<String> paths() {
        return exact.keySet();
    }

    /** The route label of a request path: the registered path, {@code prefix*}, or {@value #UNMATCHED}. */
    String label(String path) {
        if (exact.containsKey(path)) {
            return path;
        }
        Mount mount = mountOf(path);
        if (mount != null) {
            return mount.label(path);
        }
        String prefix = matchingPrefix(path);
        return prefix == null ? UNMATCHED : prefix + "*";
    }

    private String matchingPrefix(String path) {
        for (String prefix : prefixes.keySet()) {
            if (path.startsWith(prefix)) {
                return prefix;
            }
        }
        return null;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        Mount mount = mountOf(path);
        if (mount != null) {
            mount.handle(exchange);
            return;
        }
        Route route = exact.get(path);
        if (route == null) {
            String prefix = matchingPrefix(path);
            route = prefix == null ? null : prefixes.get(prefix);
        }
        if (route == null) {
            throw ApiError.notFound(path);
        }
        String method = exchange.getRequestMethod();
        if (!route.methods().contains(method)) {
            exchange.getResponseHeaders().set("Allow", String.join(", ", route.methods()));
            throw new ApiError(405, "method_not_allowed", method + " is not allowed on " + path
                    + "; use " + String.join(" or ", route.methods()));
        }
        route.handler().handle(exchange);
    }
}

package dev.mlapp.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.mlapp.metrics.AppMetrics;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every request gets, whatever its route: the {@code X-Pod-Name} and {@code X-Request-Id} headers, an
 * access line when the access log is on ({@code ACCESS_LOG}, see {@code cli.Logging}), connection management
 * ({@code Connection: close} when draining or past the per-connection limit), metrics, the in-flight count
 * that graceful shutdown waits on, and the JSON error body for anything a handler throws.
 */
final class ServerFilter extends Filter {

    private static final Logger LOG = Logger.getLogger(ServerFilter.class.getName());
    /** Named here rather than imported: http does not depend on cli. */
    private static final Logger ACCESS = Logger.getLogger("dev.mlapp.access");

    private final String podName;
    private final AppMetrics metrics;
    private final Readiness readiness;
    private final ConnectionLimiter connections;
    private final Function<String, String> routeLabel;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** @param routeLabel a request path's route label for metrics ({@link Router#label}) */
    ServerFilter(String podName, AppMetrics metrics, Readiness readiness, ConnectionLimiter connections,
                 Function<String, String> routeLabel) {
        this.podName = podName;
        this.routeLabel = routeLabel;
        this.metrics = metrics;
        this.readiness = readiness;
        this.connections = connections;
    }

    int inFlight() {
        return inFlight.get();
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        metrics.requestStarted();
        exchange.getResponseHeaders().set("X-Pod-Name", podName);
        String requestId = RequestIds.assign(exchange);
        if (readiness.isDraining() || connections.shouldClose(exchange)) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        try {
            chain.doFilter(exchange);
        } catch (ApiError e) {
            if (e.status() == 413) {
                exchange.getResponseHeaders().set("Connection", "close");
            }
            respond(exchange, e);
        } catch (IOException e) {
            LOG.log(Level.FINE, "client connection failed", e);
            exchange.close();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unhandled error on " + exchange.getRequestURI() + ", request " + requestId, e);
            respond(exchange, new ApiError(500, "internal_error", "the server failed: " + e));
        } finally {
            String route = routeLabel.apply(exchange.getRequestURI().getRawPath());
            long nanos = System.nanoTime() - start;
            metrics.requestFinished(route, exchange.getRequestMethod(), exchange.getResponseCode(), nanos);
            inFlight.decrementAndGet();
            if (ACCESS.isLoggable(Level.INFO)) {
                access(exchange.getRequestMethod(), route, exchange.getResponseCode(), nanos, requestId);
            }
        }
    }

    private void access(String method, String route, int status, long nanos, String requestId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", method);
        fields.put("route", route);
        fields.put("status", status);
        fields.put("latency_ms", Math.round(nanos / 1e4) / 100.0);
        fields.put("pod", podName);
        fields.put("request_id", requestId);
        ACCESS.log(Level.INFO, "access", new Object[] {fields});
    }

    private static void respond(HttpExchange exchange, ApiError error) {
        if (exchange.getResponseCode() != -1) {
            exchange.close(); // headers already went out; the client sees a truncated body
            return;
        }
        try {
            Responses.error(exchange, error);
        } catch (IOException e) {
            exchange.close();
        }
    }

    @Override
    public String description() {
        return "pod header, connection limits, metrics and error bodies";
    }
}

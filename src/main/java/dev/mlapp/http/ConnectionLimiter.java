package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts requests per keep-alive connection and says when to close one. Behind an L4 load balancer (a
 * Kubernetes Service, HAProxy in TCP mode) balancing happens per connection, so a client that keeps one
 * connection open talks to one pod forever; closing after N requests makes it reconnect and re-spread.
 *
 * <p>The JDK server does not expose connections, but a connection's remote address and port are unique
 * while it is open, which is all the count needs. The table is bounded: a connection the client dropped
 * early is simply forgotten once enough newer ones arrive.
 */
final class ConnectionLimiter {

    private static final int TRACKED_CONNECTIONS = 16_384;

    private final int maxRequests;
    private final Map<InetSocketAddress, Integer> counts = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Integer> eldest) {
            return size() > TRACKED_CONNECTIONS;
        }
    };

    /** @param maxRequests requests per connection before it is closed; 0 = unlimited */
    ConnectionLimiter(int maxRequests) {
        this.maxRequests = maxRequests;
    }

    /** Records one request; true when its response should carry {@code Connection: close}. */
    boolean shouldClose(HttpExchange exchange) {
        if (maxRequests <= 0) {
            return false;
        }
        InetSocketAddress remote = exchange.getRemoteAddress();
        synchronized (counts) {
            int count = counts.merge(remote, 1, Integer::sum);
            if (count >= maxRequests) {
                counts.remove(remote);
                return true;
            }
            return false;
        }
    }
}

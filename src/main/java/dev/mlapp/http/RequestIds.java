package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * {@code X-Request-Id}: the client's (or the ingress's) when it sent a sane one, else a new one; echoed on every
 * response, written into error bodies and access lines, so a person can quote one id and find the request.
 */
final class RequestIds {

    static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "dev.mlapp.requestId";
    /** What may be echoed: short, and nothing that could forge a log line or a header. */
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

    private RequestIds() {
    }

    /** Takes or makes the request's id, remembers it on the exchange and sets the response header. */
    static String assign(HttpExchange exchange) {
        String id = exchange.getRequestHeaders().getFirst(HEADER);
        if (id == null || !SANE.matcher(id).matches()) {
            id = next();
        }
        exchange.setAttribute(ATTRIBUTE, id);
        exchange.getResponseHeaders().set(HEADER, id);
        return id;
    }

    /**
     * A new id: UUID-shaped, random bits from a per-thread generator rather than {@code UUID.randomUUID()}'s
     * SecureRandom (which JFR showed among the request's own HTTP costs). An id names a request in logs; it is
     * not a secret.
     */
    private static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        return new UUID(high, low).toString();
    }

    /** The id {@link #assign} gave this exchange, or null before it ran. */
    static String of(HttpExchange exchange) {
        return (String) exchange.getAttribute(ATTRIBUTE);
    }
}

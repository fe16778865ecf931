package dev.mlapp.http;

import java.time.Duration;

/**
 * Limits the JDK's HTTP server enforces on connections, which it reads once per process from system properties
 * (so they are process-wide, not per server): a client dribbling its request (slowloris) or not reading the
 * response is cut off, idle keep-alive connections are closed, the number of connections is bounded, and an
 * unread request body is drained before the connection closes.
 * The defaults below apply unless the properties were set already (e.g. {@code -Dsun.net.httpserver.maxReqTime=…}).
 *
 * <p>The names are those {@code sun.net.httpserver.ServerConfig} reads in JDK 21 to 25. Note the odd one out:
 * the connection limit is {@code jdk.httpserver.maxConnections}, not {@code sun.net.…}; a misspelt property is
 * silently ignored, so {@code SlowClientsIT} checks each limit against the real jar. A connection beyond the
 * limit is closed right after accept, without a response.
 */
public final class ConnectionTimeouts {

    /** Whole request (headers and body) must arrive within this: a 10 MiB upload at 2 Mbit/s takes ~40 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** Whole response must be taken by the client within this. */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    /** Keep-alive connections idle longer are closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Open connections beyond this are refused at accept; each costs a socket and a little memory. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    /** Request headers beyond this many bytes are refused. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
    /**
     * How much of a request body the server reads and drops when a response goes out before the body was read
     * (413 from Content-Length, 404, 405, 503 before the upload). The JDK's default is 64 KiB; past it the
     * connection is closed with the rest unread, the kernel resets it, and the reset can destroy the response in
     * the client's receive buffer before the client reads it (the reason for nginx's "lingering close"). The
     * request timeout bounds a client that stalls while its body is drained.
     */
    public static final long DEFAULT_DRAIN_BYTES = 64L * 1024 * 1024;

    private ConnectionTimeouts() {
    }

    public static void applyDefaults() {
        apply(DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, false);
    }

    /**
     * @param override replace values already set (true for values the user gave on the command line)
     */
    public static void apply(Duration requestTimeout, Duration idleTimeout, int maxConnections, boolean override) {
        set("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, requestTimeout.toSeconds())), override);
        set("sun.net.httpserver.maxRspTime", Long.toString(DEFAULT_RESPONSE_TIMEOUT.toSeconds()), override);
        set("sun.net.httpserver.idleInterval", Long.toString(Math.max(1, idleTimeout.toSeconds())), override);
        set("jdk.httpserver.maxConnections", Integer.toString(maxConnections), override);
        set("sun.net.httpserver.maxReqHeaderSize", Integer.toString(DEFAULT_MAX_HEADER_BYTES), override);
        set("sun.net.httpserver.drainAmount", Long.toString(DEFAULT_DRAIN_BYTES), override);
        // Check deadlines every second rather than the default ten, so timeouts are enforced to the second.
        set("sun.net.httpserver.clockTick", "1000", override);
        set("sun.net.httpserver.timerMillis", "1000", override);
    }

    private static void set(String property, String value, boolean override) {
        if (override || System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}

package dev.mlapp.http;

import java.time.Duration;

/**
 * What the HTTP server is told at start: where to listen, who it is, and its limits on requests and on shutdown.
 * {@code serve.ServeConfig#server()} builds it from the settings table, where each default is declared.
 *
 * @param host                     address to bind; 0.0.0.0 so a pod is reachable on its IP
 * @param port                     port to bind; 0 for an ephemeral one
 * @param podName                  replica identity shown in {@code X-Pod-Name}
 * @param helloOnly                the course's load-balancing demo: no model, {@code /whoami} and {@code /} only
 * @param maxBodyBytes             largest request body accepted (413 beyond)
 * @param shutdownDelay            on SIGTERM, how long to keep serving with /readyz red before closing the
 *                                 listener, so load balancers stop sending first (Kubernetes' preStop does the
 *                                 same; the local HAProxy cluster relies on this)
 * @param drainTimeout             then, how long in-flight requests may take to finish
 * @param maxRequestsPerConnection after this many requests a keep-alive connection is closed; 0 = never
 */
public record ServerConfig(String host, int port, String podName, boolean helloOnly, long maxBodyBytes,
                           Duration shutdownDelay, Duration drainTimeout, int maxRequestsPerConnection) {
}

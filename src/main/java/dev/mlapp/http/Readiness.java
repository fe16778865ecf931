package dev.mlapp.http;

import dev.mlapp.inference.ModelHost;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this replica should get traffic: the model host's state, unless the server is draining. Kubernetes'
 * readiness probe (and the local cluster's HAProxy health check) reads it through {@code /readyz}.
 */
final class Readiness {

    /**
     * @param state  {@code starting}, {@code ready}, {@code failing}, {@code failed} or {@code draining}
     * @param reason a sentence for people
     */
    record Status(String state, String reason) {
        boolean isReady() {
            return state.equals("ready");
        }
    }

    private static final Status READY = new Status("ready", "ok");
    private static final Status DRAINING = new Status("draining", "shutting down");

    /** Null in the load-balancing demo, which serves no model. */
    private final ModelHost host;
    private final AtomicBoolean draining = new AtomicBoolean();

    Readiness(ModelHost host) {
        this.host = host;
    }

    Status status() {
        if (draining.get()) {
            return DRAINING;
        }
        if (host == null) {
            return READY;
        }
        ModelHost.State state = host.state();
        return new Status(state.phase().name().toLowerCase(Locale.ROOT), state.reason());
    }

    boolean isDraining() {
        return draining.get();
    }

    /** SIGTERM received: finishing in-flight work, taking no new work once the listener closes. */
    void draining() {
        draining.set(true);
    }
}

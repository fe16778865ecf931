package dev.mlapp.http;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this replica should get traffic. Kubernetes' readiness probe (and the local cluster's HAProxy
 * health check) reads it through {@code /readyz}; only {@link State#READY} is green.
 */
final class Readiness {

    enum State {
        /** Loading the model and warming it up. */
        STARTING,
        READY,
        /** The model failed at run time; traffic should go to other replicas until a self-check passes. */
        FAILING,
        /** SIGTERM received: finishing in-flight work, taking no new work once the listener closes. */
        DRAINING,
        /** The model could not be loaded at all. */
        FAILED
    }

    private record Status(State state, String reason) {
    }

    private final AtomicReference<Status> status = new AtomicReference<>(new Status(State.STARTING, "loading model"));

    State state() {
        return status.get().state();
    }

    String reason() {
        return status.get().reason();
    }

    boolean isReady() {
        return state() == State.READY;
    }

    boolean isDraining() {
        return state() == State.DRAINING;
    }

    void ready() {
        moveUnlessDraining(State.READY, "ok");
    }

    void failing(String reason) {
        moveUnlessDraining(State.FAILING, reason);
    }

    void failed(String reason) {
        moveUnlessDraining(State.FAILED, reason);
    }

    /** FAILING → READY once a self-check passes; any other state is left alone. */
    boolean recovered() {
        Status before = status.getAndUpdate(s -> s.state() == State.FAILING ? new Status(State.READY, "ok") : s);
        return before.state() == State.FAILING;
    }

    boolean isFailing() {
        return state() == State.FAILING;
    }

    void draining() {
        status.set(new Status(State.DRAINING, "shutting down"));
    }

    private void moveUnlessDraining(State next, String reason) {
        status.updateAndGet(s -> s.state() == State.DRAINING ? s : new Status(next, reason));
    }
}

package dev.mlapp.inference;

/** The engine's queue is full; the caller should answer 503 with Retry-After at once. */
public final class OverloadedException extends RuntimeException {

    public OverloadedException(String message) {
        super(message, null, false, false);
    }
}

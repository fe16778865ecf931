package dev.mlapp.inference;

/** Admission refused the request: this replica is at capacity; the caller should answer 503 with Retry-After. */
public final class OverloadedException extends RuntimeException {

    public OverloadedException(String message) {
        super(message, null, false, false);
    }
}

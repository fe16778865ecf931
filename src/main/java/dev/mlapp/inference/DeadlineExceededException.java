package dev.mlapp.inference;

/** The item waited past its deadline and was dropped before reaching the model. */
public final class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException(String message) {
        super(message, null, false, false);
    }
}

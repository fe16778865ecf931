package dev.mlapp.model;

/** TensorFlow failed to run a loaded graph: a server-side fault, not a client error. */
public class InferenceException extends RuntimeException {

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}

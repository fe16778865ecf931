package dev.mlapp.model;

/** A model file that cannot be served, with a message meant for the person who supplied it. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}

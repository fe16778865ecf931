package dev.mlapp.inference;

/** Work submitted after the engine was closed, i.e. while the server shuts down; another replica can answer. */
public final class EngineClosedException extends RuntimeException {

    public EngineClosedException() {
        super("the inference engine is shut down", null, false, false);
    }
}

package dev.mlapp.model;

import org.tensorflow.TensorFlow;

/**
 * Loads TensorFlow's native library ahead of need. Mapping and relocating its shared objects (~600 MB) takes about a
 * second of a cold start, and nothing before the graph needs it: started first, it overlaps with binding the HTTP
 * server, registering metrics and parsing the Keras file instead of following them.
 */
public final class TensorFlowNatives {

    private TensorFlowNatives() {
    }

    /** Starts loading on a daemon thread and returns at once; a failure is left for the model loader to report. */
    public static void preloadInBackground() {
        Thread.ofPlatform().name("tf-natives").daemon().start(() -> {
            try {
                TensorFlow.version();
            } catch (RuntimeException | LinkageError e) {
                // The model loader loads the library again and reports the error in its own words.
            }
        });
    }
}

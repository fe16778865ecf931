package dev.mlapp.inference;

import dev.mlapp.model.Model;
import java.time.Duration;

/**
 * Every tuning knob of inference in one place.
 *
 * @param workers        threads that run the model; more than the CPU limit only adds contention
 * @param queueCapacity  items that may wait for the model; beyond it requests get 503 at once, because a longer
 *                       queue only turns into latency nobody waits for
 * @param deadline       how long an item may wait before it is dropped unrun (the client has likely given up)
 */
public record EngineOptions(int workers, int queueCapacity, Duration deadline) {

    public static final EngineOptions DEFAULTS = new EngineOptions(1, 64, Duration.ofSeconds(10));

    public InferenceEngine createEngine(Model model) {
        return new DirectEngine(model, workers, queueCapacity);
    }
}

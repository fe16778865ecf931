package dev.mlapp.loadtest;

import java.util.List;

/**
 * The raw record of a finished load test.
 *
 * @param plan         what was run
 * @param samples      every request, in request order
 * @param elapsedNanos wall time from the first send to the last response
 */
public record LoadRun(LoadPlan plan, List<Sample> samples, long elapsedNanos) {
}

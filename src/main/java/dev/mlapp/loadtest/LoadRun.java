package dev.mlapp.loadtest;

import java.util.List;

/**
 * The raw record of a finished load test.
 *
 * @param plan         what was run
 * @param samples      every request, in request order
 * @param elapsedNanos wall time from the first send to the last response
 * @param clientCpuNanos CPU time the generator's own threads used; -1 when the JVM cannot tell. When the server
 *                     under test shares the machine, this is the load test's share of it
 */
public record LoadRun(LoadPlan plan, List<Sample> samples, long elapsedNanos, long clientCpuNanos) {

    public LoadRun(LoadPlan plan, List<Sample> samples, long elapsedNanos) {
        this(plan, samples, elapsedNanos, -1);
    }
}

package dev.mlapp.loadtest;

import java.time.Instant;
import java.util.List;

/**
 * The app's pods at one moment.
 *
 * @param time           when the snapshot was taken
 * @param pods           pods matching the selector, by name
 * @param metricsProblem why CPU and memory usage are missing (metrics-server absent…), null when present
 */
public record ClusterSnapshot(Instant time, List<PodStatus> pods, String metricsProblem) {

    public long readyCount() {
        return pods.stream().filter(PodStatus::ready).count();
    }
}

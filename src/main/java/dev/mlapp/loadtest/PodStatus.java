package dev.mlapp.loadtest;

/**
 * One pod at one moment. Unknown numbers are −1 (no limit set, metrics-server absent, /metrics unreachable).
 *
 * @param name               pod name
 * @param ready              all containers ready
 * @param restarts           container restarts summed
 * @param podIp              the pod's IP, null before scheduling
 * @param port               the first container port, for /metrics
 * @param cpuRequestMillis   Σ containers' CPU requests
 * @param cpuLimitMillis     Σ containers' CPU limits
 * @param memoryRequestBytes Σ containers' memory requests
 * @param memoryLimitBytes   Σ containers' memory limits
 * @param cpuUsageMillis     from the metrics API, else from the pod's /metrics (CPU time between snapshots)
 * @param memoryUsageBytes   from the metrics API (working set), else the pod's /metrics (resident memory)
 * @param requestsServed     Σ {@code http_requests_total} from the pod's own /metrics
 * @param inFlight           {@code http_requests_in_flight} from the pod's own /metrics
 */
public record PodStatus(String name, boolean ready, int restarts, String podIp, int port, double cpuRequestMillis,
                        double cpuLimitMillis, long memoryRequestBytes, long memoryLimitBytes, double cpuUsageMillis,
                        long memoryUsageBytes, double requestsServed, double inFlight) {

    PodStatus withUsage(double cpuMillis, long memoryBytes) {
        return new PodStatus(name, ready, restarts, podIp, port, cpuRequestMillis, cpuLimitMillis, memoryRequestBytes,
                memoryLimitBytes, cpuMillis, memoryBytes, requestsServed, inFlight);
    }

    PodStatus withServed(double requests, double inFlightNow) {
        return new PodStatus(name, ready, restarts, podIp, port, cpuRequestMillis, cpuLimitMillis, memoryRequestBytes,
                memoryLimitBytes, cpuUsageMillis, memoryUsageBytes, requests, inFlightNow);
    }
}

package dev.mlapp.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica's requests and limits from measurement ({@code ml-app size}): a server with the model in this process,
 * uploads from {@code concurrency} closed-loop clients for a while, and what the process used meanwhile.
 *
 * <p>Memory: the limit is the process's peak resident set over its whole life (model load included, {@code VmHWM},
 * what the OOM killer would compare with the limit in a pod) plus the headroom; the request is the highest resident
 * set seen under the load (what a busy replica holds, so the scheduler does not pack more replicas onto a node than
 * its memory carries). CPU: the server's cores at saturation (the process's CPU time minus the load generator's,
 * over the run); the request is set so that the HorizontalPodAutoscaler's target utilisation of it is reached when
 * a replica serves {@code scaleAtPercent} of what it can at most, and the limit lets it reach that maximum, and
 * never less than the processors the JVM saw (what the engine's threads were sized for).
 */
public final class Sizing {

    private static final long MIB = 1L << 20;
    private static final long MEMORY_STEP = 64 * MIB;
    private static final long CPU_STEP_MILLIS = 50;

    /**
     * @param concurrency      closed-loop clients, each uploading its next image when the previous answer arrives
     * @param warmUp           load before the measurement starts (JIT, TensorFlow's first runs)
     * @param duration         the measured load
     * @param headroomPercent  memory limit over the measured peak
     * @param hpaTargetPercent the autoscaler's averageUtilization (of the CPU request)
     * @param scaleAtPercent   share of a replica's saturated throughput at which the autoscaler should add replicas
     * @param fitCores         cores a node has for the app's pods (0: no cap); the CPU request is capped so that
     *                         {@code maxReplicas} + 1 (a rollout's surge pod) fit in 90 % of them
     * @param maxReplicas      replicas that must fit (with {@code fitCores})
     */
    public record Settings(byte[] jpeg, int concurrency, Duration warmUp, Duration duration, int headroomPercent,
                           int hpaTargetPercent, int scaleAtPercent, double fitCores, int maxReplicas) {
    }

    /**
     * What the load did to this process; memory in bytes, −1 where /proc/self/status cannot tell; {@code processors}
     * is what the JVM saw (a pod's JVM: its CPU limit), which the engine sized its threads for.
     */
    public record Measurement(long peakResidentBytes, long busyResidentBytes, double serverCores, double okPerSecond,
                              double p95Millis, long failed, long answered, int processors) {
    }

    /** Requests and limits, and why the CPU request is what it is. */
    public record Recommendation(long memoryRequestBytes, long memoryLimitBytes, long cpuRequestMillis,
                                 long cpuLimitMillis, String cpuReason) {

        /** A kustomization patch for the ml-app Deployment (k8s/deployment_lb.yaml's container 0). */
        public String kustomizePatch() {
            return String.format(Locale.ROOT, """
                    patches:
                      - target:
                          kind: Deployment
                          name: ml-app
                        patch: |-
                          - op: replace
                            path: /spec/template/spec/containers/0/resources
                            value:
                              requests: {cpu: %dm, memory: %dMi}
                              limits: {cpu: %dm, memory: %dMi}
                    """, cpuRequestMillis, memoryRequestBytes / MIB, cpuLimitMillis, memoryLimitBytes / MIB);
        }

        /** The same for deploy.yml: {@code -e '{"mlapp_deploy_resources": ...}'}. */
        public String ansibleExtraVars() {
            return String.format(Locale.ROOT, "{\"mlapp_deploy_resources\": {\"requests\": {\"cpu\": \"%dm\", \"memory\": "
                            + "\"%dMi\"}, \"limits\": {\"cpu\": \"%dm\", \"memory\": \"%dMi\"}}}", cpuRequestMillis,
                    memoryRequestBytes / MIB, cpuLimitMillis, memoryLimitBytes / MIB);
        }
    }

    private Sizing() {
    }

    /** Loads the server listening on 127.0.0.1:{@code port}, which must run in this process. */
    public static Measurement measure(Settings settings, int port) throws InterruptedException {
        HttpLoad load = new HttpLoad(port, "/predict", settings.jpeg());
        load.closedLoop(settings.concurrency(), settings.warmUp());
        AtomicLong busy = new AtomicLong(-1);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> busy.accumulateAndGet(Rss.currentKilobytes() * 1024, Math::max),
                0, 100, TimeUnit.MILLISECONDS);
        long cpuBefore = ProcessCpu.nanos();
        HttpLoad.Result result;
        try {
            result = load.closedLoop(settings.concurrency(), settings.duration());
        } finally {
            sampler.shutdownNow();
        }
        long cpuAfter = ProcessCpu.nanos();
        double serverCores = cpuBefore < 0 || cpuAfter < 0 ? Double.NaN
                : (cpuAfter - cpuBefore - Math.max(0, result.clientCpuNanos())) / 1e9 / result.seconds();
        long failed = result.failures() + result.statuses().entrySet().stream()
                .filter(e -> e.getKey() != 200).mapToLong(java.util.Map.Entry::getValue).sum();
        // VmHWM and the samples are read at different moments: the peak is at least the highest sample
        return new Measurement(Math.max(Rss.peakKilobytes() * 1024, busy.get()), busy.get(), serverCores, result.okPerSecond(),
                result.ok().percentileMillis(95), failed, result.ok().count(), Runtime.getRuntime().availableProcessors());
    }

    public static Recommendation recommend(Measurement m, Settings s) {
        long limit = roundUp((long) (m.peakResidentBytes() * (1 + s.headroomPercent() / 100.0)), MEMORY_STEP);
        long request = Math.min(limit, roundUp(Math.max(m.busyResidentBytes(), 0), MEMORY_STEP));
        double wantedMillis = m.serverCores() * 1000 * s.scaleAtPercent() / s.hpaTargetPercent();
        long cpuRequest = Math.max(100, roundUp((long) Math.ceil(wantedMillis), CPU_STEP_MILLIS));
        String reason = String.format(Locale.ROOT, "%.0f%% of %dm is what a replica uses at %d%% of its saturated "
                        + "throughput (%.2f cores at saturation)", (double) s.hpaTargetPercent(), cpuRequest,
                s.scaleAtPercent(), m.serverCores());
        if (s.fitCores() > 0) {
            long fit = (long) (s.fitCores() * 1000 * 0.9 / (s.maxReplicas() + 1)) / CPU_STEP_MILLIS * CPU_STEP_MILLIS;
            if (fit < cpuRequest) {
                reason = String.format(Locale.ROOT, "capped from %dm so that %d replicas and a surge pod fit %.1f cores:"
                                + " the autoscaler then adds replicas when a replica serves about %.0f%% of its "
                                + "saturated throughput", cpuRequest, s.maxReplicas(), s.fitCores(),
                        fit * (double) s.hpaTargetPercent() / (m.serverCores() * 1000));
                cpuRequest = Math.max(CPU_STEP_MILLIS, fit);
            }
        }
        // never below the processors the engine was sized for: on a machine other work keeps busy the server gets
        // less CPU at saturation than it could use (0.36 cores measured at load average 30 against 1.68 on a quieter
        // machine), and a limit from that would cap the pod there even once the machine is quiet
        long cpuLimit = Math.max(Math.max(cpuRequest, roundUp((long) Math.ceil(m.serverCores() * 1000), 500)),
                m.processors() * 1000L);
        return new Recommendation(request, limit, cpuRequest, cpuLimit, reason);
    }

    private static long roundUp(long value, long step) {
        return (value + step - 1) / step * step;
    }
}

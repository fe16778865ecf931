package dev.mlapp.bench;

import static dev.mlapp.serve.ServeSettings.HOST;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static dev.mlapp.serve.ServeSettings.PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.http.MlServer;
import dev.mlapp.image.SampleImage;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sizing rules on given measurements, and one real measurement of the demo model over real HTTP. */
class SizingTest {

    private static final long MIB = 1L << 20;

    private static Sizing.Settings settings(double fitCores) {
        return new Sizing.Settings(new byte[0], 8, Duration.ZERO, Duration.ZERO, 50, 40, 50, fitCores, 5);
    }

    @Test
    void memoryLimitIsThePeakPlusTheHeadroomAndTheRequestWhatABusyReplicaHolds() {
        Sizing.Recommendation r = Sizing.recommend(
                new Sizing.Measurement(1000 * MIB, 900 * MIB, 1.0, 10, 100, 0, 100, 1), settings(0));
        assertEquals(1536 * MIB, r.memoryLimitBytes(), "1000 MiB × 1.5 = 1500 MiB, up to a multiple of 64 MiB");
        assertEquals(960 * MIB, r.memoryRequestBytes(), "900 MiB up to a multiple of 64 MiB");
    }

    @Test
    void cpuRequestPutsTheAutoscalersTargetWhereAReplicaServesHalfItsMaximum() {
        // 1.0 core at saturation: at half of it a replica uses 500m, which is 40 % of 1250m
        Sizing.Recommendation r = Sizing.recommend(
                new Sizing.Measurement(500 * MIB, 400 * MIB, 1.0, 10, 100, 0, 100, 1), settings(0));
        assertEquals(1250, r.cpuRequestMillis());
        assertEquals(1250, r.cpuLimitMillis(), "never below the request");
        assertTrue(r.kustomizePatch().contains("requests: {cpu: 1250m, memory: 448Mi}"), r.kustomizePatch());
        assertTrue(r.kustomizePatch().contains("limits: {cpu: 1250m, memory: 768Mi}"), r.kustomizePatch());
        assertTrue(r.ansibleExtraVars().startsWith("{\"mlapp_deploy_resources\": {\"requests\": {\"cpu\": \"1250m\""),
                r.ansibleExtraVars());
    }

    @Test
    void onASmallNodeTheCpuRequestIsCappedSoThatEveryReplicaAndASurgePodFit() {
        Sizing.Recommendation r = Sizing.recommend(
                new Sizing.Measurement(500 * MIB, 400 * MIB, 1.0, 10, 100, 0, 100, 1), settings(2));
        assertEquals(300, r.cpuRequestMillis(), "2 cores × 90 % / 6 pods = 300m");
        assertEquals(1000, r.cpuLimitMillis(), "the core it used at saturation");
        assertTrue(r.cpuReason().contains("about 12%"), r.cpuReason()); // 40 % of 300m = 120m of 1000m
    }

    @Test
    void theCpuLimitIsNeverBelowTheProcessorsTheEngineWasSizedFor() {
        // a loaded machine gave the server 0.36 cores at saturation; its JVM saw 2 processors (the pod's limit)
        Sizing.Recommendation r = Sizing.recommend(
                new Sizing.Measurement(500 * MIB, 400 * MIB, 0.36, 1, 100, 0, 10, 2), settings(2));
        assertEquals(2000, r.cpuLimitMillis(), "2 processors, not 500m from the starved measurement");
        assertEquals(300, r.cpuRequestMillis());
    }

    @Test
    void measuresTheDemoModelUnderLoad() throws Exception {
        MlServer server = Serving.start(ServeConfig.loopback().with(POD_NAME, "size-test").with(PORT, 0)
                .with(HOST, "127.0.0.1"));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            Sizing.Settings s = new Sizing.Settings(SampleImage.jpeg(), 2, Duration.ofMillis(500),
                    Duration.ofSeconds(1), 50, 40, 50, 0, 5);
            Sizing.Measurement m = Sizing.measure(s, server.port());
            assertTrue(m.answered() > 0, "uploads answered");
            assertEquals(0, m.failed());
            assertTrue(m.peakResidentBytes() >= m.busyResidentBytes() && m.busyResidentBytes() > 100 * MIB,
                    "peak " + m.peakResidentBytes() + " ≥ busy " + m.busyResidentBytes() + " > 100 MiB");
            assertTrue(m.serverCores() > 0, "server CPU " + m.serverCores());
        } finally {
            server.drainAndStop();
        }
    }
}

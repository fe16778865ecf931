package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuLimitTest {

    @TempDir
    Path root;

    private void write(String relative, String content) throws IOException {
        FakeCgroup.write(root, relative, content);
    }

    @Test
    void cgroupV2QuotaBecomesWholeCores() throws IOException {
        write("cpu.max", "200000 100000");
        assertEquals(2.0, CpuLimit.limit(root).getAsDouble(), 1e-9);
        assertEquals(2, CpuLimit.cores(root, 32));
    }

    @Test
    void fractionalLimitRoundsDownButNeverToZero() throws IOException {
        write("cpu.max", "150000 100000");
        assertEquals(1, CpuLimit.cores(root, 32));
        write("cpu.max", "50000 100000");
        assertEquals(1, CpuLimit.cores(root, 32));
    }

    @Test
    void cgroupV2MaxMeansUnlimited() throws IOException {
        write("cpu.max", "max 100000");
        assertTrue(CpuLimit.limit(root).isEmpty());
        assertEquals(6, CpuLimit.cores(root, 6));
    }

    @Test
    void cgroupV1QuotaOverPeriod() throws IOException {
        write("cpu/cpu.cfs_quota_us", "300000");
        write("cpu/cpu.cfs_period_us", "100000");
        assertEquals(3, CpuLimit.cores(root, 32));
    }

    @Test
    void cgroupV1UnderCombinedControllerDirectory() throws IOException {
        write("cpu,cpuacct/cpu.cfs_quota_us", "100000");
        write("cpu,cpuacct/cpu.cfs_period_us", "100000");
        assertEquals(1, CpuLimit.cores(root, 8));
    }

    @Test
    void cgroupV1MinusOneMeansUnlimited() throws IOException {
        write("cpu/cpu.cfs_quota_us", "-1");
        write("cpu/cpu.cfs_period_us", "100000");
        assertEquals(4, CpuLimit.cores(root, 4));
    }

    @Test
    void limitAboveTheMachineIsCappedAtItsProcessors() throws IOException {
        write("cpu.max", "800000 100000");
        assertEquals(2, CpuLimit.cores(root, 2));
    }

    @Test
    void noCgroupFilesFallsBackToAvailableProcessors() {
        assertTrue(CpuLimit.limit(root).isEmpty());
        assertEquals(5, CpuLimit.cores(root, 5));
    }

    @Test
    void unreadableContentFallsBack() throws IOException {
        write("cpu.max", "garbage");
        assertEquals(3, CpuLimit.cores(root, 3));
    }

    @Test
    void threadPoolsAndWorkersAreSizedFromTheLimit() throws IOException {
        write("cpu.max", "200000 100000");
        EngineOptions options = EngineOptions.forCores(CpuLimit.cores(root, 16));
        assertEquals(2, options.intraOpThreads());
        assertEquals(2, options.interOpThreads());
        assertEquals(2, options.workers());
        assertEquals(2, options.sessionOptions().intraOpThreads());
        EngineOptions single = EngineOptions.forCores(1);
        assertEquals(1, single.intraOpThreads());
        assertEquals(1, single.interOpThreads());
        assertEquals(1, single.workers(), "one core: nothing to overlap");
        assertEquals(2, EngineOptions.forCores(8).workers(), "workers share one pool; more only split it");
        assertEquals(8, EngineOptions.forCores(8).intraOpThreads());
    }
}

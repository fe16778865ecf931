package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryLimitTest {

    @TempDir
    Path root;

    private void write(String relative, String content) throws IOException {
        FakeCgroup.write(root, relative, content);
    }

    @Test
    void cgroupV2LimitInBytes() throws IOException {
        write("memory.max", "1610612736");
        assertEquals(1536L << 20, MemoryLimit.limit(root).getAsLong());
    }

    @Test
    void cgroupV2MaxMeansUnlimited() throws IOException {
        write("memory.max", "max");
        assertTrue(MemoryLimit.limit(root).isEmpty());
    }

    @Test
    void cgroupV1LimitInBytes() throws IOException {
        write("memory/memory.limit_in_bytes", "805306368");
        assertEquals(768L << 20, MemoryLimit.limit(root).getAsLong());
    }

    @Test
    void cgroupV1PageRoundedLongMaxMeansUnlimited() throws IOException {
        write("memory/memory.limit_in_bytes", "9223372036854771712");
        assertTrue(MemoryLimit.limit(root).isEmpty());
    }

    @Test
    void v2WinsOverV1WhenBothArePresent() throws IOException {
        write("memory.max", "1073741824");
        write("memory/memory.limit_in_bytes", "805306368");
        assertEquals(1L << 30, MemoryLimit.limit(root).getAsLong());
    }

    @Test
    void noCgroupFilesOrGarbageMeanNoLimit() throws IOException {
        assertTrue(MemoryLimit.limit(root).isEmpty());
        write("memory.max", "lots");
        assertTrue(MemoryLimit.limit(root).isEmpty());
    }
}

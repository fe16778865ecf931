package dev.mlapp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;

/**
 * Coverage-guided fuzzing of the {@code .npy} reader ({@code infer}'s input): an array whose size matches its
 * shape, or {@link Npy.NpyException}; never another exception, never an allocation the file's bytes do not back.
 */
class NpyFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void read(byte[] file) throws Exception {
        try {
            FloatArray array = Npy.read(new ByteArrayInputStream(file), "fuzz.npy");
            assertEquals(FloatArray.elementCount(array.shape()), array.data().length);
        } catch (Npy.NpyException expected) {
            // a clean refusal
        }
    }
}

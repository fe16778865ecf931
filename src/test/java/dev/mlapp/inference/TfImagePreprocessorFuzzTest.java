package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mlapp.image.ImageException;
import dev.mlapp.image.Scaling;

/**
 * Coverage-guided fuzzing of the JPEG path through TensorFlow's native decoder (libjpeg-turbo), which serves most
 * uploads: a crash in native code would take the whole JVM down, so whatever the bytes, the answer is a tensor
 * of the right size or an {@link ImageException}. Other formats go to a fallback that refuses them here, so the
 * fuzzer's time goes to JPEG headers and entropy-coded data. Jazzer instruments only Java code: it steers by
 * coverage of our header parsing, and the native decoder sees the mutants without guidance.
 */
class TfImagePreprocessorFuzzTest {

    private static final TfImagePreprocessor PREPROCESSOR = new TfImagePreprocessor(8, 8, Scaling.UNIT, 250_000,
            image -> {
                throw new ImageException(ImageException.Kind.UNSUPPORTED_FORMAT, "not a plain JPEG");
            });

    @FuzzTest(maxDuration = "30s")
    void toTensor(byte[] jpeg) {
        try {
            assertEquals(8 * 8 * 3, PREPROCESSOR.toTensor(jpeg).length);
        } catch (ImageException expected) {
            // a clean refusal
        }
    }
}

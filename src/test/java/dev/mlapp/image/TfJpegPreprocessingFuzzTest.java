package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the server's preprocessing with TensorFlow's native JPEG decoder (libjpeg-turbo),
 * which serves most uploads: a crash in native code would take the whole JVM down, so whatever the bytes, the
 * answer is a tensor of the right size or an {@link ImageException}. Jazzer instruments only Java code: it steers
 * by coverage of our header parsing, and the native decoder sees the mutants without guidance. Seeds are JPEGs.
 */
class TfJpegPreprocessingFuzzTest {

    private static final ImagePreprocessor PIPELINE = new ImagePreprocessor(ImageLayout.rgb(8, 8),
            Scaling.UNIT, 250_000, JpegScaling.FAST, 1);

    @FuzzTest(maxDuration = "30s")
    void toTensor(byte[] image) {
        try {
            assertEquals(8 * 8 * 3, PIPELINE.toTensor(image).length);
        } catch (ImageException expected) {
            // a clean refusal
        }
    }
}

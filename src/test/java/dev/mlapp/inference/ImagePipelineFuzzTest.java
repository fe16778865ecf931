package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mlapp.image.ImageException;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;

/**
 * Coverage-guided fuzzing of the server's preprocessing with TensorFlow's native JPEG decoder (libjpeg-turbo),
 * which serves most uploads: a crash in native code would take the whole JVM down, so whatever the bytes, the
 * answer is a tensor of the right size or an {@link ImageException}. Jazzer instruments only Java code: it steers
 * by coverage of our header parsing, and the native decoder sees the mutants without guidance. Seeds are JPEGs.
 */
class ImagePipelineFuzzTest {

    private static final ImagePipeline PIPELINE = new ImagePipeline(new ImageLayout(8, 8, 3, false), Scaling.UNIT,
            250_000, JpegScaling.FAST);

    @FuzzTest(maxDuration = "30s")
    void toTensor(byte[] image) {
        try {
            assertEquals(8 * 8 * 3, PIPELINE.toTensor(image).length);
        } catch (ImageException expected) {
            // a clean refusal
        }
    }
}

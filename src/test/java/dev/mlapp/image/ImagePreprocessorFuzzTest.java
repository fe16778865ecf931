package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of image decoding and preprocessing (every format ImageIO reads, EXIF, colour
 * conversion, resampling): whatever the bytes, the result is a tensor of the right size or an
 * {@link ImageException}. Seeds: one small image per format, under {@code ImagePreprocessorFuzzTestInputs/}.
 */
class ImagePreprocessorFuzzTest {

    /** Small target and pixel limit: the fuzzer should spend its time in the parsers, not resampling. */
    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(8, 8, Scaling.UNIT, 250_000);

    @FuzzTest(maxDuration = "30s")
    void toTensor(byte[] image) {
        try {
            assertEquals(8 * 8 * 3, PREPROCESSOR.toTensor(image).length);
        } catch (ImageException expected) {
            // a clean refusal (415, 400 or 413)
        }
    }
}

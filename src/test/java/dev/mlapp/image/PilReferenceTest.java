package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Npy;
import dev.mlapp.testing.SystemTools;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Our whole pipeline against PIL's: {@code ../shared/models/vgg16_food11_demo/input.npy} holds the two shared
 * photos as PIL made them ({@code convert('RGB').resize((224, 224), BICUBIC) / 255}).
 */
class PilReferenceTest {

    private static final String[] PHOTOS = {"food_test_image.jpeg", "food_noodles.jpg"};
    /** One 8-bit step: JPEG decoders may differ by a rounding step, nothing more. */
    private static final double MAX_ABS_DIFF = 1.0 / 255 + 1e-6;

    @Test
    void matchesPilBicubicResizeOfTheSharedPhotos() throws Exception {
        Path reference = SystemTools.requireShared("models/vgg16_food11_demo/input.npy");
        FloatArray expected = Npy.read(reference);
        assertArrayEquals(new long[] {PHOTOS.length, 224, 224, 3}, expected.shape());
        ImagePreprocessor preprocessor = new ImagePreprocessor(224, 224, Scaling.UNIT, 50_000_000L);
        int perImage = 224 * 224 * 3;
        for (int i = 0; i < PHOTOS.length; i++) {
            byte[] photo = Files.readAllBytes(SystemTools.requireShared("images/" + PHOTOS[i]));
            float[] actual = preprocessor.toTensor(photo);
            double maxDiff = 0;
            double sumDiff = 0;
            int off = 0;
            for (int j = 0; j < perImage; j++) {
                double d = Math.abs(actual[j] - expected.data()[i * perImage + j]);
                maxDiff = Math.max(maxDiff, d);
                sumDiff += d;
                if (d > 0.5 / 255) {
                    off++;
                }
            }
            System.out.printf("%s: max |Δ| = %.5f (%.2f/255), mean |Δ| = %.6f, values off by ≥1/255: %d of %d%n",
                    PHOTOS[i], maxDiff, maxDiff * 255, sumDiff / perImage, off, perImage);
            assertTrue(maxDiff <= MAX_ABS_DIFF, PHOTOS[i] + ": max |Δ| " + maxDiff * 255 + "/255 exceeds 1/255");
        }
    }
}

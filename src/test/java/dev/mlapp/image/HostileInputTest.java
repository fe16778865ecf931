package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mlapp.testing.TestImages;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutated and cut-up images of every format: each must either decode to a tensor of the right size or fail with
 * an {@link ImageException}; no other exception may escape, whatever the bytes. Seeded, so failures reproduce.
 */
class HostileInputTest {

    private static final int MUTANTS_PER_FORMAT = 300;

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp", "jpeg-cmyk", "png-exif"})
    void mutatedImagesOnlyEverFailWithImageException(String kind) {
        byte[] original = sample(kind);
        ImagePreprocessor preprocessor = new ImagePreprocessor(16, 16, Scaling.UNIT, 1_000_000);
        Random random = new Random(kind.hashCode());
        for (int n = 0; n < MUTANTS_PER_FORMAT; n++) {
            byte[] mutant = mutate(original, random);
            try {
                assertEquals(16 * 16 * 3, preprocessor.toTensor(mutant).length);
            } catch (ImageException expected) {
                // a clean refusal is fine
            } catch (RuntimeException | Error e) {
                fail(kind + " mutant " + n + " escaped with " + e, e);
            }
        }
    }

    private static byte[] sample(String kind) {
        BufferedImage image = ImagePreprocessorTest.noise(24, 20);
        return switch (kind) {
            case "jpeg" -> TestImages.jpeg(image);
            case "gif" -> {
                BufferedImage indexed = new BufferedImage(24, 20, BufferedImage.TYPE_BYTE_INDEXED);
                indexed.createGraphics().drawImage(image, 0, 0, null);
                yield TestImages.encode(indexed, "gif");
            }
            case "jpeg-cmyk" -> TestImages.withJpegSegment(TestImages.jpeg4(TestImages.flat4(24, 20, 1, 2, 3, 4)),
                    0xEE, TestImages.adobeSegment(2));
            case "png-exif" -> TestImages.withPngChunk(TestImages.encode(image, "png"), "eXIf",
                    TestImages.tiffWithOrientation(6, false));
            default -> TestImages.encode(image, kind);
        };
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] data = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // flip a few bytes, biased towards the headers
                for (int i = random.nextInt(8) + 1; i > 0; i--) {
                    int at = random.nextBoolean() ? random.nextInt(Math.min(64, data.length))
                            : random.nextInt(data.length);
                    data[at] = (byte) random.nextInt(256);
                }
            }
            case 1 -> data = Arrays.copyOf(data, random.nextInt(data.length)); // truncate
            case 2 -> { // extreme values into the first bytes, where sizes and lengths live
                int at = 2 + random.nextInt(Math.min(40, data.length - 2));
                data[at] = random.nextBoolean() ? (byte) 0xFF : 0;
            }
            default -> { // duplicate a slice somewhere else
                int from = random.nextInt(data.length);
                int length = random.nextInt(Math.min(32, data.length - from)) + 1;
                int to = random.nextInt(data.length - length + 1);
                System.arraycopy(original, from, data, to, length);
            }
        }
        return data;
    }
}

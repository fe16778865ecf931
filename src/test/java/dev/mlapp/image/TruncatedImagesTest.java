package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.TestImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One meaning of "truncated" for every format ({@link ImageEnds}): a file that stops before its format's end —
 * PNG's IEND, JPEG's end-of-image marker, GIF's trailer, BMP's last pixel row — is refused with a sentence that
 * says so, at every length it could have been cut to. Bytes after the end are accepted, as PIL and browsers do.
 */
class TruncatedImagesTest {

    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(16, 16, Scaling.UNIT, 1_000_000);

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp"})
    void everyCutShortCopyIsRefusedWithASentence(String format) {
        byte[] full = image(format);
        for (int length = 8; length < full.length; length++) {
            byte[] cut = Arrays.copyOf(full, length);
            ImageException e = assertThrows(ImageException.class, () -> PREPROCESSOR.toTensor(cut),
                    format + " cut to " + length + " of " + full.length + " bytes");
            assertEquals(ImageException.Kind.CORRUPT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().matches("the (JPEG|PNG|GIF|BMP) image [^\\[{]+"),
                    "a sentence for a person, no decoder internals: " + e.getMessage());
            if (length >= 30) { // past the smallest header: nothing else can be wrong with it
                assertTrue(e.getMessage().contains("truncated"), format + " cut to " + length + ": " + e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp"})
    void bytesAfterTheEndAreAcceptedAsPilAndBrowsersAcceptThem(String format) throws ImageException {
        byte[] full = image(format);
        byte[] padded = Arrays.copyOf(full, full.length + 100); // e.g. a camera's trailer, or zero padding
        Arrays.fill(padded, full.length + 50, padded.length, (byte) 0xA5);
        assertEquals(PREPROCESSOR.toTensor(full).length, PREPROCESSOR.toTensor(padded).length);
    }

    /** The case: a 64×64 PNG cut inside its last chunks was classified with 200. */
    @ParameterizedTest
    @ValueSource(ints = {12, 11, 4, 1})
    void aSmallPngWithoutItsIendOrWithAShortIdatIsTruncated(int missing) {
        byte[] png = TestImages.encode(TestImages.solid(64, 64, BufferedImage.TYPE_3BYTE_BGR, Color.ORANGE), "png");
        ImageException e = assertThrows(ImageException.class,
                () -> PREPROCESSOR.toTensor(Arrays.copyOf(png, png.length - missing)));
        assertEquals(ImageException.Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().startsWith("the PNG image is truncated: it ends "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aJpegWithAnExifThumbnailStillNeedsItsOwnEndMarker(int missing) {
        byte[] thumbnail = TestImages.jpeg(ImagePreprocessorTest.noise(8, 8)); // ends with FF D9, inside the APP1 segment
        byte[] app1 = new byte[6 + thumbnail.length];
        System.arraycopy("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, app1, 0, 6);
        System.arraycopy(thumbnail, 0, app1, 6, thumbnail.length);
        byte[] jpeg = TestImages.withJpegSegment(TestImages.jpeg(ImagePreprocessorTest.noise(24, 24)), 0xE1, app1);
        ImageException e = assertThrows(ImageException.class,
                () -> PREPROCESSOR.toTensor(Arrays.copyOf(jpeg, jpeg.length - missing)));
        assertTrue(e.getMessage().contains("no end-of-image marker"), e.getMessage());
    }

    private static byte[] image(String format) {
        BufferedImage picture = ImagePreprocessorTest.noise(16, 12);
        return switch (format) {
            case "jpeg" -> TestImages.jpeg(picture);
            case "gif" -> TestImages.encode(ImagePreprocessorTest.toPalette(picture), "gif");
            default -> TestImages.encode(picture, format);
        };
    }
}

package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.Scaling;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Npy;
import dev.mlapp.testing.SystemTools;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TfImagePreprocessorTest {

    private static final float[] FALLBACK_RESULT = new float[224 * 224 * 3];

    private final ImagePreprocessor java = new ImagePreprocessor(224, 224, Scaling.UNIT, 40_000_000);
    private final AtomicInteger fallbacks = new AtomicInteger();
    private final TfImagePreprocessor tf = new TfImagePreprocessor(224, 224, Scaling.UNIT, 40_000_000, image -> {
        fallbacks.incrementAndGet();
        return FALLBACK_RESULT;
    });

    @AfterEach
    void close() {
        tf.close();
    }

    @Test
    void jpegBecomesTheSameTensorAsTheJavaPathWithinResamplingDifferences() throws Exception {
        byte[] jpeg = ClassifierTest.sampleJpeg();
        float[] fromTf = tf.toTensor(jpeg);
        float[] fromJava = java.toTensor(jpeg);
        assertEquals(224 * 224 * 3, fromTf.length);
        double diff = 0;
        for (int i = 0; i < fromTf.length; i++) {
            assertTrue(fromTf[i] >= 0 && fromTf[i] <= 1, "value " + fromTf[i] + " outside [0,1]");
            diff += Math.abs(fromTf[i] - fromJava[i]);
        }
        assertTrue(diff / fromTf.length < 0.03, "mean |Δ| " + diff / fromTf.length);
        assertEquals(0, fallbacks.get());
    }

    @Test
    void largePhotosAreDecodedAtReducedScaleAndStillMatch() throws Exception {
        byte[] big = jpeg(1600, 1200);
        float[] fromTf = tf.toTensor(big);
        float[] fromJava = java.toTensor(big);
        double diff = 0;
        for (int i = 0; i < fromTf.length; i++) {
            diff += Math.abs(fromTf[i] - fromJava[i]);
        }
        assertTrue(diff / fromTf.length < 0.03, "mean |Δ| " + diff / fromTf.length);
    }

    @Test
    void otherFormatsGoToTheFallback() throws Exception {
        BufferedImage image = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        assertSame(FALLBACK_RESULT, tf.toTensor(png.toByteArray()));
        assertEquals(1, fallbacks.get());
    }

    @Test
    void rotatedExifJpegGoesToTheFallbackWhichHonoursOrientation() throws Exception {
        byte[] plain = ClassifierTest.sampleJpeg();
        assertSame(FALLBACK_RESULT, tf.toTensor(withExifOrientation(plain, 6)));
        assertEquals(1, fallbacks.get());
        assertEquals(224 * 224 * 3, tf.toTensor(withExifOrientation(plain, 1)).length);
        assertEquals(1, fallbacks.get(), "orientation 1 needs no rotation");
    }

    @Test
    void brokenJpegIsCorrupt() {
        byte[] broken = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 4, 1, 2, 9, 9, 9, 9, 9, 9};
        ImageException e = assertThrows(ImageException.class, () -> tf.toTensor(broken));
        assertEquals(ImageException.Kind.CORRUPT, e.kind());
    }

    @Test
    void truncatedJpegIsCorrupt() throws Exception {
        byte[] jpeg = ClassifierTest.sampleJpeg();
        ImageException e = assertThrows(ImageException.class, () -> tf.toTensor(Arrays.copyOf(jpeg, jpeg.length / 2)));
        assertEquals(ImageException.Kind.CORRUPT, e.kind());
    }

    @Test
    void tooManyPixelsIsRefusedBeforeDecoding() throws Exception {
        try (TfImagePreprocessor small = new TfImagePreprocessor(224, 224, Scaling.UNIT, 1000, i -> null)) {
            ImageException e = assertThrows(ImageException.class, () -> small.toTensor(ClassifierTest.sampleJpeg()));
            assertEquals(ImageException.Kind.TOO_LARGE, e.kind());
        }
    }

    @Test
    void scalingIsApplied() throws Exception {
        byte[] jpeg = ClassifierTest.sampleJpeg();
        try (TfImagePreprocessor symmetric = new TfImagePreprocessor(224, 224, Scaling.SYMMETRIC, 40_000_000, i -> null)) {
            float[] unit = tf.toTensor(jpeg);
            float[] sym = symmetric.toTensor(jpeg);
            for (int i = 0; i < unit.length; i += 997) {
                assertEquals(unit[i] * 2 - 1, sym[i], 1e-4);
            }
        }
        assertArrayEquals(tf.toTensor(jpeg), tf.toTensor(jpeg), "deterministic");
    }

    private static byte[] jpeg(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | ((x + y) % 256));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    /** Inserts an APP1 EXIF segment (big-endian TIFF, one IFD entry: Orientation) right after SOI. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer exif = ByteBuffer.allocate(2 + 2 + 6 + 8 + 2 + 12 + 4);
        exif.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (exif.capacity() - 2));
        exif.put(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        exif.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
        exif.putShort((short) 1);
        exif.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        exif.putInt(0);
        byte[] out = new byte[jpeg.length + exif.capacity()];
        out[0] = jpeg[0];
        out[1] = jpeg[1];
        System.arraycopy(exif.array(), 0, out, 2, exif.capacity());
        System.arraycopy(jpeg, 2, out, 2 + exif.capacity(), jpeg.length - 2);
        return out;
    }

    /** The shared benchmark inputs were resized by PIL (bicubic, [0,1]); the TF path should land within ~1 level. */
    @Test
    void sharedPhotosMatchThePilReferenceWithinAboutOneLevel() throws Exception {
        Path images = SystemTools.requireShared("images");
        Path reference = SystemTools.requireShared("models/mobilenetv2_food11_demo/input.npy");
        FloatArray pil = Npy.read(reference);
        for (String name : new String[] {"food_noodles.jpg", "food_test_image.jpeg"}) {
            float[] ours = tf.toTensor(Files.readAllBytes(images.resolve(name)));
            double best = Double.MAX_VALUE;
            for (int item = 0; item < pil.batchSize(); item++) {
                float[] ref = pil.item(item);
                double diff = 0;
                for (int i = 0; i < ref.length; i++) {
                    diff += Math.abs(ref[i] - ours[i]);
                }
                best = Math.min(best, diff / ref.length);
            }
            System.out.printf("TF preprocessing vs PIL reference, %s: mean |Δ| %.4f%n", name, best);
            assertTrue(best < 0.01, name + ": mean |Δ| " + best);
        }
    }
}

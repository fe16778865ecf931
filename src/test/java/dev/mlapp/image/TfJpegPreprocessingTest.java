package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Npy;
import dev.mlapp.testing.SystemTools;
import dev.mlapp.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's preprocessing: JPEGs decoded by TensorFlow's libjpeg-turbo, resized by the Java pipeline. At full
 * scale it must be PIL's result bit for bit, and agree with the JDK's own decoder (ImageIO) within JPEG rounding.
 */
class TfJpegPreprocessingTest {

    private static final long MAX_PIXELS = 40_000_000;
    /** ImageIO's libjpeg and libjpeg-turbo may round a pixel differently by one level, nothing more. */
    private static final float ONE_LEVEL = 1f / 255 + 1e-6f;

    private final RecordingDecoder recording = new RecordingDecoder();
    private final ImagePreprocessor exact = new ImagePreprocessor(ImageLayout.rgb(224, 224), Scaling.UNIT,
            MAX_PIXELS, recording, JpegScaling.EXACT, 2);
    private final ImagePreprocessor fast = new ImagePreprocessor(ImageLayout.rgb(224, 224), Scaling.UNIT,
            MAX_PIXELS, recording, JpegScaling.FAST, 2);

    @AfterEach
    void close() {
        recording.close();
    }

    /** The server writes into reused arrays: whatever they held before must not show through. */
    @Test
    void writingIntoAReusedArrayGivesTheSameTensor() throws Exception {
        try (ImagePreprocessor pipeline = new ImagePreprocessor(ImageLayout.rgb(224, 224),
                Scaling.UNIT, MAX_PIXELS, JpegScaling.EXACT, 2)) {
            byte[][] images = {SampleImage.jpeg(), dev.mlapp.testing.TestImages.picture("png", 500, 120)};
            for (byte[] image : images) {
                float[] fresh = pipeline.toTensor(image);
                float[] reused = new float[fresh.length];
                Arrays.fill(reused, Float.NaN);
                pipeline.toTensor(image, reused);
                assertArrayEquals(fresh, reused);
            }
        }
    }

    /** The shared photos as PIL made them: {@code convert('RGB').resize((224, 224), BICUBIC) / 255}. */
    @Test
    void sharedPhotosAreThePilReferenceBitForBit() throws Exception {
        Path images = SystemTools.requireShared("images");
        FloatArray pil = Npy.read(SystemTools.requireShared("models/mobilenetv2_food11_demo/input.npy"));
        String[] photos = {"food_test_image.jpeg", "food_noodles.jpg"}; // the reference's order
        for (int item = 0; item < photos.length; item++) {
            float[] ours = exact.toTensor(Files.readAllBytes(images.resolve(photos[item])));
            assertArrayEquals(pil.item(item), ours, photos[item] + " differs from PIL's preprocessing");
        }
        assertEquals(List.of(1, 1), recording.denominators);
    }

    @Test
    void colourJpegMatchesTheImageIoPathWithinOneLevel() throws Exception {
        byte[] jpeg = SampleImage.jpeg();
        assertWithinOneLevel(ImageIoReference.toTensor(jpeg, 224, 224), exact.toTensor(jpeg));
        assertEquals(List.of(1), recording.denominators);
    }

    @Test
    void greyJpegIsExpandedToRgbLikeImageIoDoes() throws Exception {
        byte[] grey = jpeg(300, 260, BufferedImage.TYPE_BYTE_GRAY);
        float[] ours = exact.toTensor(grey);
        assertWithinOneLevel(ImageIoReference.toTensor(grey, 224, 224), ours);
        for (int p = 0; p < ours.length; p += 3) {
            assertEquals(ours[p], ours[p + 1]);
            assertEquals(ours[p], ours[p + 2]);
        }
        assertEquals(List.of(1), recording.denominators);
    }

    @Test
    void cmykJpegsDecodeAtFullScaleAndOtherFormatsSkipTheJpegDecoder() throws Exception {
        byte[] cmyk = Files.readAllBytes(Path.of("src/test/resources/dev/mlapp/image/"
                + "TfJpegPreprocessingFuzzTestInputs/toTensor/seed-cmyk.jpg"));
        assertArrayEquals(exact.toTensor(cmyk), fast.toTensor(cmyk));
        assertEquals(List.of(1, 1), recording.denominators, "CMYK ink is turned into RGB at full size only");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture(50, 40, BufferedImage.TYPE_INT_RGB), "png", png);
        assertArrayEquals(ImageIoReference.toTensor(png.toByteArray(), 224, 224), exact.toTensor(png.toByteArray()));
        assertEquals(List.of(1, 1), recording.denominators);
    }

    @Test
    void fastScalingDecodesLargePhotosSmallerAndStaysClose() throws Exception {
        byte[] big = jpeg(1600, 1200, BufferedImage.TYPE_INT_RGB);
        float[] reference = exact.toTensor(big);
        float[] scaled = fast.toTensor(big);
        assertEquals(List.of(1, 2), recording.denominators,
                "1200 / 2 = 600 leaves the filter 2× of 224; 1200 / 4 = 300 would leave it less (libvips' rule)");
        double diff = 0;
        for (int i = 0; i < reference.length; i++) {
            diff += Math.abs(reference[i] - scaled[i]);
        }
        assertTrue(diff / reference.length < 0.01, "mean |Δ| " + diff / reference.length);
        byte[] small = jpeg(800, 600, BufferedImage.TYPE_INT_RGB);
        assertArrayEquals(exact.toTensor(small), fast.toTensor(small),
                "800×600 at 1/2 would be 400×300, under twice 224: not scaled");
    }

    @Test
    void brokenAndTruncatedJpegsAreCorrupt() throws Exception {
        byte[] header = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 4, 1, 2, 9, 9, 9, 9, 9, 9};
        assertEquals(ImageException.Kind.CORRUPT, assertThrows(ImageException.class,
                () -> exact.toTensor(header)).kind());
        byte[] jpeg = SampleImage.jpeg();
        ImageException e = assertThrows(ImageException.class,
                () -> exact.toTensor(Arrays.copyOf(jpeg, jpeg.length / 2)));
        assertEquals(ImageException.Kind.CORRUPT, e.kind());
    }

    @Test
    void tooManyPixelsIsRefusedBeforeDecoding() throws Exception {
        ImagePreprocessor small = new ImagePreprocessor(ImageLayout.rgb(224, 224), Scaling.UNIT, 1000, recording,
                JpegScaling.EXACT, 1);
        ImageException e = assertThrows(ImageException.class, () -> small.toTensor(SampleImage.jpeg()));
        assertEquals(ImageException.Kind.TOO_LARGE, e.kind());
        assertEquals(List.of(), recording.denominators);
    }

    @Test
    void aJpegWithoutADeclaredHeightNeverReachesTheNativeDecoder() throws Exception {
        byte[] jpeg = SampleImage.jpeg().clone();
        int sof = startOfFrame(jpeg);
        jpeg[sof + 5] = 0; // height 0: "defined later by a DNL marker", which this file does not have
        jpeg[sof + 6] = 0;
        assertThrows(ImageException.class, () -> exact.toTensor(jpeg));
        assertEquals(List.of(), recording.denominators, "only a size checked against the limit may be decoded");
    }

    private static int startOfFrame(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            int marker = jpeg[i + 1] & 0xFF;
            if ((jpeg[i] & 0xFF) == 0xFF && (marker == 0xC0 || marker == 0xC2)) {
                return i;
            }
        }
        throw new AssertionError("no SOF0/SOF2 marker in the sample");
    }

    @Test
    void thePipelineAppliesScalingAndTheModelsLayout() throws Exception {
        byte[] jpeg = SampleImage.jpeg();
        float[] unit = exact.toTensor(jpeg);
        try (ImagePreprocessor symmetric = new ImagePreprocessor(ImageLayout.rgb(224, 224),
                Scaling.SYMMETRIC, MAX_PIXELS, JpegScaling.EXACT, 2);
             ImagePreprocessor channelsFirst = new ImagePreprocessor(
                     new ImageLayout(224, 224, 3, true), Scaling.UNIT, MAX_PIXELS, JpegScaling.EXACT, 2)) {
            float[] sym = symmetric.toTensor(jpeg);
            float[] planes = channelsFirst.toTensor(jpeg);
            int pixels = 224 * 224;
            for (int p = 0; p < pixels; p += 97) {
                assertEquals(unit[3 * p] * 2 - 1, sym[3 * p], 1e-5);
                assertEquals(unit[3 * p + 1], planes[pixels + p]);
            }
        }
    }

    private static void assertWithinOneLevel(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], ONE_LEVEL, "value " + i);
        }
    }

    /** Passes through to the real decoder and notes each call's scale denominator. */
    private static final class RecordingDecoder extends TfImageDecoder {

        final List<Integer> denominators = new ArrayList<>();

        @Override
        public synchronized Pixels decode(byte[] jpeg, int scaleDenominator, IntFunction<byte[]> buffers)
                throws ImageException {
            denominators.add(scaleDenominator);
            return super.decode(jpeg, scaleDenominator, buffers);
        }
    }

    private static BufferedImage picture(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | ((x * 7 + y * 3) % 256));
            }
        }
        return image;
    }

    private static byte[] jpeg(int width, int height, int type) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(picture(width, height, type), "jpeg", out);
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
}

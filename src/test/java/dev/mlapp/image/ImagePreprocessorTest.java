package dev.mlapp.image;

import static dev.mlapp.testing.TestImages.BOTTOM_LEFT;
import static dev.mlapp.testing.TestImages.BOTTOM_RIGHT;
import static dev.mlapp.testing.TestImages.TOP_LEFT;
import static dev.mlapp.testing.TestImages.TOP_RIGHT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.TestImages;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.awt.color.ColorSpace;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImagePreprocessorTest {

    private static final long MAX_PIXELS = 40_000_000L;

    private static ImagePreprocessor preprocessor(int height, int width) {
        return new ImagePreprocessor(height, width, Scaling.RAW, MAX_PIXELS);
    }

    /** The RGB triple at (x, y) of a RAW-scaled tensor. */
    private static int[] pixel(float[] tensor, int width, int x, int y) {
        int i = (y * width + x) * 3;
        return new int[] {Math.round(tensor[i]), Math.round(tensor[i + 1]), Math.round(tensor[i + 2])};
    }

    private static void assertColor(Color expected, int[] actual, int tolerance, String what) {
        int[] e = {expected.getRed(), expected.getGreen(), expected.getBlue()};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(e[c] - actual[c]) <= tolerance,
                    what + ": expected " + Arrays.toString(e) + " ±" + tolerance + ", got " + Arrays.toString(actual));
        }
    }

    private static void assertEverywhere(float[] tensor, int width, int height, Color expected, int tolerance) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                assertColor(expected, pixel(tensor, width, x, y), tolerance, "pixel " + x + "," + y);
            }
        }
    }

    private static ImageException.Kind failureKind(byte[] data) {
        return assertThrows(ImageException.class, () -> preprocessor(32, 32).toTensor(data)).kind();
    }

    // ---- formats and colour conversions ----

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp", "gif"})
    void decodesLosslessFormatsExactlyAtTheModelSize(String format) throws Exception {
        BufferedImage image = TestImages.quadrants(40, 30);
        BufferedImage source = format.equals("gif") ? toPalette(image) : image;
        float[] t = preprocessor(30, 40).toTensor(TestImages.encode(source, format));
        assertEquals(30 * 40 * 3, t.length);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                assertColor(new Color(source.getRGB(x, y)), pixel(t, 40, x, y), 0, format + " pixel " + x + "," + y);
            }
        }
    }

    @Test
    void decodesJpegAndResizesToTheModelSize() throws Exception {
        Color orange = new Color(250, 140, 20);
        byte[] jpeg = TestImages.jpeg(TestImages.solid(300, 200, BufferedImage.TYPE_3BYTE_BGR, orange));
        float[] t = preprocessor(224, 224).toTensor(jpeg);
        assertEquals(224 * 224 * 3, t.length);
        assertEverywhere(t, 224, 224, orange, 3);
    }

    @Test
    void scalesToTheConfiguredRange() throws Exception {
        byte[] png = TestImages.encode(TestImages.solid(8, 8, BufferedImage.TYPE_3BYTE_BGR, new Color(255, 0, 51)),
                "png");
        assertArrayEquals(new float[] {1f, 0f, 0.2f},
                Arrays.copyOf(new ImagePreprocessor(8, 8, Scaling.UNIT, MAX_PIXELS).toTensor(png), 3), 1e-6f);
        assertArrayEquals(new float[] {1f, -1f, 51 / 127.5f - 1},
                Arrays.copyOf(new ImagePreprocessor(8, 8, Scaling.SYMMETRIC, MAX_PIXELS).toTensor(png), 3), 1e-6f);
        assertArrayEquals(new float[] {255f, 0f, 51f}, Arrays.copyOf(preprocessor(8, 8).toTensor(png), 3), 0f);
    }

    @Test
    void replicatesGreyIntoRgb() throws Exception {
        BufferedImage grey = TestImages.solid(10, 10, BufferedImage.TYPE_BYTE_GRAY, new Color(77, 77, 77));
        assertEverywhere(preprocessor(10, 10).toTensor(TestImages.encode(grey, "png")), 10, 10,
                new Color(77, 77, 77), 0);
        assertEverywhere(preprocessor(10, 10).toTensor(TestImages.jpeg(grey)), 10, 10, new Color(77, 77, 77), 1);
    }

    @Test
    void dropsAlphaWithoutCompositingLikePil() throws Exception {
        BufferedImage rgba = new BufferedImage(6, 6, BufferedImage.TYPE_4BYTE_ABGR);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                rgba.setRGB(x, y, 0x00_C8_64_32); // fully transparent, yet PIL keeps its colour
            }
        }
        assertEverywhere(preprocessor(6, 6).toTensor(TestImages.encode(rgba, "png")), 6, 6, new Color(200, 100, 50), 0);
    }

    @Test
    void dropsAlphaOfGreyPlusAlpha() throws Exception {
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(5, 5);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                raster.setPixel(x, y, new int[] {90, x * 60});
            }
        }
        byte[] png = TestImages.encode(new BufferedImage(cm, raster, false, null), "png");
        assertEverywhere(preprocessor(5, 5).toTensor(png), 5, 5, new Color(90, 90, 90), 0);
    }

    @Test
    void looksUpPaletteColours() throws Exception {
        // 256 entries: the JDK's BMP writer mangles 4-bit palettes, which is not what this test is about.
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        r[0] = (byte) 255;
        g[1] = (byte) 255;
        r[2] = 10;
        g[2] = 20;
        b[2] = 30;
        IndexColorModel palette = new IndexColorModel(8, 256, r, g, b);
        BufferedImage image = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_INDEXED, palette);
        image.getRaster().setSamples(0, 0, 4, 2, 0, new int[] {0, 1, 2, 2, 2, 2, 1, 0});
        for (String format : new String[] {"png", "gif", "bmp"}) {
            float[] t = preprocessor(2, 4).toTensor(TestImages.encode(image, format));
            assertColor(new Color(255, 0, 0), pixel(t, 4, 0, 0), 0, format + " index 0");
            assertColor(new Color(0, 255, 0), pixel(t, 4, 1, 0), 0, format + " index 1");
            assertColor(new Color(10, 20, 30), pixel(t, 4, 2, 0), 0, format + " index 2");
            assertColor(new Color(255, 0, 0), pixel(t, 4, 3, 1), 0, format + " index 0 again");
        }
    }

    @Test
    void decodesOneBitPalettes() throws Exception {
        BufferedImage bits = new BufferedImage(9, 3, BufferedImage.TYPE_BYTE_BINARY);
        bits.setRGB(0, 0, 0xFFFFFF);
        float[] t = preprocessor(3, 9).toTensor(TestImages.encode(bits, "png"));
        assertColor(Color.WHITE, pixel(t, 9, 0, 0), 0, "set bit");
        assertColor(Color.BLACK, pixel(t, 9, 1, 0), 0, "clear bit");
    }

    @Test
    void keepsTheHighByteOfSixteenBitSamples() throws Exception {
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(4, 4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                raster.setPixel(x, y, new int[] {0xABFF, 0x1200, 0xFF01});
            }
        }
        float[] rgb = preprocessor(4, 4).toTensor(TestImages.encode(new BufferedImage(cm, raster, false, null), "png"));
        assertEverywhere(rgb, 4, 4, new Color(0xAB, 0x12, 0xFF), 0);

        BufferedImage grey16 = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                grey16.getRaster().setSample(x, y, 0, 0x80F0);
            }
        }
        assertEverywhere(preprocessor(4, 4).toTensor(TestImages.encode(grey16, "png")), 4, 4,
                new Color(0x80, 0x80, 0x80), 0);
    }

    @Test
    void convertsAdobeCmykJpegLikePil() throws Exception {
        // Adobe JPEGs store inverted ink: stored 255 − C. PIL: R = (255 − C)(255 − K)/255, rounded.
        int c = 40;
        int m = 80;
        int y = 128;
        int k = 60;
        byte[] jpeg = TestImages.withJpegSegment(
                TestImages.jpeg4(TestImages.flat4(16, 16, 255 - c, 255 - m, 255 - y, 255 - k)),
                0xEE, TestImages.adobeSegment(0));
        assertEverywhere(preprocessor(16, 16).toTensor(jpeg), 16, 16, cmykToRgb(c, m, y, k), 2);
    }

    @Test
    void convertsYcckJpegLikePil() throws Exception {
        int c = 30;
        int m = 150;
        int y = 90;
        int k = 20;
        // YCCK stores the YCbCr transform of (255 − stored C, M, Y) = (C, M, Y), and stored K = 255 − K.
        double yy = 0.299 * c + 0.587 * m + 0.114 * y;
        double cb = -0.168736 * c - 0.331264 * m + 0.5 * y + 128;
        double cr = 0.5 * c - 0.418688 * m - 0.081312 * y + 128;
        byte[] jpeg = TestImages.withJpegSegment(TestImages.jpeg4(TestImages.flat4(16, 16,
                (int) Math.round(yy), (int) Math.round(cb), (int) Math.round(cr), 255 - k)),
                0xEE, TestImages.adobeSegment(ImageHeaders.ADOBE_YCCK));
        assertEverywhere(preprocessor(16, 16).toTensor(jpeg), 16, 16, cmykToRgb(c, m, y, k), 3);
    }

    private static Color cmykToRgb(int c, int m, int y, int k) {
        return new Color((int) Math.round((255 - c) * (255 - k) / 255.0), (int) Math.round((255 - m) * (255 - k) / 255.0),
                (int) Math.round((255 - y) * (255 - k) / 255.0));
    }

    @Test
    void takesTheFirstFrameOfAnAnimatedGif() throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (Color color : new Color[] {Color.RED, Color.BLUE, Color.GREEN}) {
                BufferedImage frame = toPalette(TestImages.solid(12, 12, BufferedImage.TYPE_3BYTE_BGR, color));
                IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(frame), null);
                writer.writeToSequence(new IIOImage(frame, null, metadata), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        assertEverywhere(preprocessor(12, 12).toTensor(bytes.toByteArray()), 12, 12, Color.RED, 0);
    }

    static BufferedImage toPalette(BufferedImage image) {
        BufferedImage indexed = new BufferedImage(image.getWidth(), image.getHeight(),
                BufferedImage.TYPE_BYTE_INDEXED);
        Graphics2D g = indexed.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return indexed;
    }

    // ---- EXIF orientation ----

    /**
     * Where each corner of the stored 40×20 picture lands, per the EXIF specification (and PIL's
     * {@code exif_transpose}): the expected upright top-left, top-right, bottom-left, bottom-right colours.
     */
    private static Color[] uprightCorners(int orientation) {
        return switch (orientation) {
            case 1 -> new Color[] {TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT};
            case 2 -> new Color[] {TOP_RIGHT, TOP_LEFT, BOTTOM_RIGHT, BOTTOM_LEFT};
            case 3 -> new Color[] {BOTTOM_RIGHT, BOTTOM_LEFT, TOP_RIGHT, TOP_LEFT};
            case 4 -> new Color[] {BOTTOM_LEFT, BOTTOM_RIGHT, TOP_LEFT, TOP_RIGHT};
            case 5 -> new Color[] {TOP_LEFT, BOTTOM_LEFT, TOP_RIGHT, BOTTOM_RIGHT};
            case 6 -> new Color[] {BOTTOM_LEFT, TOP_LEFT, BOTTOM_RIGHT, TOP_RIGHT};
            case 7 -> new Color[] {BOTTOM_RIGHT, TOP_RIGHT, BOTTOM_LEFT, TOP_LEFT};
            case 8 -> new Color[] {TOP_RIGHT, BOTTOM_RIGHT, TOP_LEFT, BOTTOM_LEFT};
            default -> throw new IllegalArgumentException();
        };
    }

    private static void assertUpright(byte[] encoded, int orientation, int tolerance) throws ImageException {
        boolean swapped = orientation >= 5;
        int w = swapped ? 20 : 40;
        int h = swapped ? 40 : 20;
        float[] t = preprocessor(h, w).toTensor(encoded);
        Color[] corners = uprightCorners(orientation);
        String what = "orientation " + orientation;
        assertColor(corners[0], pixel(t, w, 0, 0), tolerance, what + " top left");
        assertColor(corners[1], pixel(t, w, w - 1, 0), tolerance, what + " top right");
        assertColor(corners[2], pixel(t, w, 0, h - 1), tolerance, what + " bottom left");
        assertColor(corners[3], pixel(t, w, w - 1, h - 1), tolerance, what + " bottom right");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void honoursJpegExifOrientation(int orientation) throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.quadrants(40, 20));
        assertUpright(TestImages.withJpegSegment(jpeg, 0xE1, TestImages.exifApp1(orientation, false)),
                orientation, 4);
        assertUpright(TestImages.withJpegSegment(jpeg, 0xE1, TestImages.exifApp1(orientation, true)),
                orientation, 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void honoursPngExifOrientation(int orientation) throws Exception {
        byte[] png = TestImages.encode(TestImages.quadrants(40, 20), "png");
        assertUpright(TestImages.withPngChunk(png, "eXIf", TestImages.tiffWithOrientation(orientation, true)),
                orientation, 0);
    }

    @Test
    void treatsOutOfRangeOrBrokenExifAsUpright() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.quadrants(40, 20));
        assertUpright(TestImages.withJpegSegment(jpeg, 0xE1, TestImages.exifApp1(9, false)), 1, 4);
        byte[] broken = TestImages.exifApp1(6, false);
        broken[11] = 99; // IFD0 offset points past the segment
        assertUpright(TestImages.withJpegSegment(jpeg, 0xE1, broken), 1, 4);
    }

    // ---- limits and bad input ----

    @Test
    void refusesHugeDeclaredSizesFromTheHeaderAlone() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertEquals(ImageException.Kind.TOO_LARGE, failureKind(TestImages.pngHeaderOnly(60_000, 60_000)));
            assertEquals(ImageException.Kind.TOO_LARGE, failureKind(TestImages.jpegDeclaring(65_000, 65_000)));
            assertEquals(ImageException.Kind.TOO_LARGE, failureKind(TestImages.gifHeaderOnly(65_000, 65_000)));
            assertEquals(ImageException.Kind.TOO_LARGE, failureKind(TestImages.bmpHeaderOnly(60_000, 60_000)));
        });
    }

    @Test
    void thePixelLimitIsInclusive() throws Exception {
        byte[] png = TestImages.encode(TestImages.solid(50, 40, BufferedImage.TYPE_3BYTE_BGR, Color.CYAN), "png");
        new ImagePreprocessor(8, 8, Scaling.UNIT, 2000).toTensor(png);
        ImageException e = assertThrows(ImageException.class,
                () -> new ImagePreprocessor(8, 8, Scaling.UNIT, 1999).toTensor(png));
        assertEquals(ImageException.Kind.TOO_LARGE, e.kind());
    }

    @Test
    void emptyInputIsCorrupt() {
        assertEquals(ImageException.Kind.CORRUPT, failureKind(new byte[0]));
    }

    @Test
    void nonImagesAreUnsupported() {
        assertEquals(ImageException.Kind.UNSUPPORTED_FORMAT, failureKind("hello, this is text".getBytes()));
        assertEquals(ImageException.Kind.UNSUPPORTED_FORMAT, failureKind("%PDF-1.7\n".getBytes()));
        assertEquals(ImageException.Kind.UNSUPPORTED_FORMAT, failureKind(new byte[] {0, 0, 1, 1, 0})); // WBMP-like
        BufferedImage tiffable = TestImages.solid(4, 4, BufferedImage.TYPE_3BYTE_BGR, Color.RED);
        assertEquals(ImageException.Kind.UNSUPPORTED_FORMAT, failureKind(TestImages.encode(tiffable, "tiff")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp"})
    void truncatedImagesAreCorrupt(String format) {
        BufferedImage image = noise(64, 48);
        byte[] full = format.equals("jpeg") ? TestImages.jpeg(image)
                : TestImages.encode(format.equals("gif") ? toPalette(image) : image, format);
        for (double fraction : new double[] {0.95, 0.9, 0.5, 0.1}) {
            byte[] cut = Arrays.copyOf(full, Math.max(4, (int) (full.length * fraction)));
            assertEquals(ImageException.Kind.CORRUPT, failureKind(cut), format + " cut to " + fraction);
        }
    }

    @Test
    void aJpegWithoutItsEndMarkerIsCorruptLikeInPil() {
        byte[] full = TestImages.jpeg(noise(32, 32));
        assertEquals(ImageException.Kind.CORRUPT, failureKind(Arrays.copyOf(full, full.length - 2)));
    }

    /** Random pixels: nothing compresses, so the pixel data fills nearly the whole file. */
    static BufferedImage noise(int width, int height) {
        java.util.Random random = new java.util.Random(width * 31L + height);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    @Test
    void aMagicNumberFollowedByGarbageIsCorrupt() {
        byte[] garbage = new byte[200];
        new java.util.Random(7).nextBytes(garbage);
        for (byte[] magic : new byte[][] {{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
                {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, {'G', 'I', 'F', '8', '9', 'a'}, {'B', 'M'}}) {
            byte[] data = garbage.clone();
            System.arraycopy(magic, 0, data, 0, magic.length);
            ImageException.Kind kind = failureKind(data);
            assertTrue(kind == ImageException.Kind.CORRUPT || kind == ImageException.Kind.TOO_LARGE,
                    "garbage after " + Arrays.toString(magic) + " gave " + kind);
        }
    }

    @Test
    void rejectsNonPositiveModelSizes() {
        assertThrows(IllegalArgumentException.class, () -> new ImagePreprocessor(0, 224, Scaling.UNIT, 1));
    }

    // ---- concurrency: pooled buffers must never leak between requests ----

    @Test
    void concurrentCallsGiveTheSameAnswersAsSequentialOnes() throws Exception {
        ImagePreprocessor shared = new ImagePreprocessor(64, 64, Scaling.UNIT, MAX_PIXELS);
        byte[][] inputs = {
            TestImages.jpeg(TestImages.quadrants(300, 200)),
            TestImages.encode(TestImages.quadrants(120, 90), "png"),
            TestImages.encode(toPalette(TestImages.quadrants(80, 80)), "gif"),
            TestImages.encode(TestImages.quadrants(200, 50), "bmp"),
        };
        float[][] expected = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            expected[i] = shared.toTensor(inputs[i]);
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int task = 0; task < 64; task++) {
                int i = task % inputs.length;
                futures.add(pool.submit(() -> {
                    assertArrayEquals(expected[i], shared.toTensor(inputs[i]));
                    return null;
                }));
            }
            for (var f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

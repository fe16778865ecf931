package dev.mlapp.image;

import dev.mlapp.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the seed images of {@link ImagePreprocessorFuzzTest}: one small image per format and colour mode we
 * decode, so the fuzzer starts inside every parser instead of discovering each magic number.
 * Run: {@code java -cp target/test-classes:target/classes dev.mlapp.image.FuzzSeedGenerator DIR}.
 */
final class FuzzSeedGenerator {

    private FuzzSeedGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds().entrySet()) {
            Files.write(dir.resolve("seed-" + seed.getKey()), seed.getValue());
        }
    }

    static Map<String, byte[]> seeds() {
        BufferedImage rgb = ImagePreprocessorTest.noise(12, 10);
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("rgb.jpg", TestImages.jpeg(rgb));
        seeds.put("gray.jpg", TestImages.jpeg(convert(rgb, BufferedImage.TYPE_BYTE_GRAY)));
        seeds.put("cmyk.jpg", TestImages.withJpegSegment(TestImages.jpeg4(TestImages.flat4(12, 10, 1, 2, 3, 4)),
                0xEE, TestImages.adobeSegment(2)));
        seeds.put("exif.jpg", TestImages.withJpegSegment(TestImages.jpeg(rgb), 0xE1, TestImages.exifApp1(6, true)));
        seeds.put("rgb.png", TestImages.encode(rgb, "png"));
        seeds.put("palette.png", TestImages.encode(convert(rgb, BufferedImage.TYPE_BYTE_INDEXED), "png"));
        seeds.put("gray16.png", TestImages.encode(convert(rgb, BufferedImage.TYPE_USHORT_GRAY), "png"));
        seeds.put("alpha.png", TestImages.encode(convert(rgb, BufferedImage.TYPE_INT_ARGB), "png"));
        seeds.put("exif.png", TestImages.withPngChunk(TestImages.encode(rgb, "png"), "eXIf",
                TestImages.tiffWithOrientation(6, false)));
        seeds.put("palette.gif", TestImages.encode(convert(rgb, BufferedImage.TYPE_BYTE_INDEXED), "gif"));
        seeds.put("rgb.bmp", TestImages.encode(rgb, "bmp"));
        seeds.put("gray.bmp", TestImages.encode(convert(rgb, BufferedImage.TYPE_BYTE_GRAY), "bmp"));
        return seeds;
    }

    private static BufferedImage convert(BufferedImage image, int type) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), type);
        out.createGraphics().drawImage(image, 0, 0, null);
        return out;
    }
}

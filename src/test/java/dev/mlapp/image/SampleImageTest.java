package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled {@code GET /test} picture is ours, small, decodable, and what the committed generator draws. */
class SampleImageTest {

    private static byte[] bundled() throws Exception {
        try (InputStream in = SampleImageTest.class.getResourceAsStream("/samples/sample.jpg")) {
            assertNotNull(in, "samples/sample.jpg is missing from the classpath");
            return in.readAllBytes();
        }
    }

    @Test
    void isASmallJpegThePreprocessorAccepts() throws Exception {
        byte[] jpeg = bundled();
        assertTrue(jpeg.length < 100 * 1024, "sample is " + jpeg.length + " bytes");
        assertEquals(ImageFormat.JPEG, ImageFormat.sniff(jpeg).orElseThrow());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertTrue(image.getWidth() >= 224 && image.getWidth() <= 512 && image.getHeight() >= 224
                && image.getHeight() <= 512, "sample is " + image.getWidth() + "×" + image.getHeight());
        float[] tensor = new ImagePreprocessor(224, 224, Scaling.UNIT, 1_000_000).toTensor(jpeg);
        assertEquals(224 * 224 * 3, tensor.length);
    }

    /** Runs the committed generator as {@code scripts/dev/generate-sample-image.sh} does, with this test's JDK. */
    @Test
    void isWhatTheGeneratorDraws(@TempDir Path dir) throws Exception {
        BufferedImage committed = ImageIO.read(new ByteArrayInputStream(bundled()));
        Path out = dir.resolve("sample.jpg");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process generator = new ProcessBuilder(java, "src/generator/java/dev/mlapp/image/SampleImageGenerator.java",
                out.toString()).redirectErrorStream(true).start();
        String output = new String(generator.getInputStream().readAllBytes());
        assertEquals(0, generator.waitFor(), output);
        BufferedImage drawn = ImageIO.read(out.toFile());
        assertEquals(drawn.getWidth(), committed.getWidth());
        assertEquals(drawn.getHeight(), committed.getHeight());
        long total = 0;
        for (int y = 0; y < drawn.getHeight(); y++) {
            for (int x = 0; x < drawn.getWidth(); x++) {
                int a = drawn.getRGB(x, y);
                int b = committed.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    total += Math.abs((a >> shift & 0xFF) - (b >> shift & 0xFF));
                }
            }
        }
        double mean = (double) total / (drawn.getWidth() * drawn.getHeight() * 3);
        // JPEG at quality 0.88 costs a level or two on average (another JDK's encoder); a different picture tens.
        assertTrue(mean < 4, "committed sample differs from the generator's drawing by " + mean + " on average;"
                + " run scripts/dev/generate-sample-image.sh");
    }
}

package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PNG, GIF and BMP files in every pixel layout PIL writes (RGB, RGBA, grey, grey + alpha, 16-bit grey, 1-bit,
 * 4- and 8-bit palettes with and without a transparent index, an animated GIF, 8/24/32-bit BMPs), each decoded
 * by the server to exactly the bytes of PIL's {@code convert('RGB')}, which the course's Flask app fed its model.
 * The files and PIL's bytes come from {@code scripts/dev/generate-pil-format-references.py}. The one deliberate
 * difference (docs/image-preprocessing.md): PIL saturates 16-bit grey to white above 255, we keep the high byte.
 */
class PilFormatsTest {

    private static final Path DIR = Path.of("src/test/resources/dev/mlapp/image/pil-formats");

    record Case(String file, int width, int height) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = Files.readAllLines(DIR.resolve("MANIFEST")).stream()
                .filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split(" "))
                .map(f -> new Case(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2])))
                .toList();
        assertFalse(cases.isEmpty(), "the manifest lists no file");
        return cases.stream();
    }

    /** The 16-bit samples' high bytes, as RGB: what we decode, where PIL gives 255 for every sample over 255. */
    private static byte[] highBytes(Path png) throws IOException {
        Raster raster = ImageIO.read(png.toFile()).getRaster();
        byte[] rgb = new byte[raster.getWidth() * raster.getHeight() * 3];
        for (int y = 0, o = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++, o += 3) {
                byte high = (byte) (raster.getSample(x, y, 0) >>> 8);
                rgb[o] = high;
                rgb[o + 1] = high;
                rgb[o + 2] = high;
            }
        }
        return rgb;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decodesToPilsRgbBytes(Case c) throws Exception {
        byte[] pil = c.file().equals("grey16.png") ? highBytes(DIR.resolve(c.file()))
                : Files.readAllBytes(DIR.resolve(c.file() + ".rgb"));
        assertEquals(c.width() * c.height() * 3, pil.length);
        // At its own size the PIL-exact resampler copies the pixels: what is compared is the decode.
        try (ImagePreprocessor preprocessor = new ImagePreprocessor(c.height(), c.width(), Scaling.RAW,
                1_000_000)) {
            float[] ours = preprocessor.toTensor(Files.readAllBytes(DIR.resolve(c.file())));
            int differing = 0;
            String first = null;
            for (int i = 0; i < pil.length; i++) {
                if (ours[i] != (pil[i] & 0xFF)) {
                    differing++;
                    if (first == null) {
                        first = "byte " + i + " (pixel " + i / 3 % c.width() + "," + i / 3 / c.width() + "): PIL "
                                + (pil[i] & 0xFF) + ", ours " + ours[i];
                    }
                }
            }
            assertTrue(differing == 0, c.file() + ": " + differing + " of " + pil.length + " bytes differ, first "
                    + first);
        }
    }
}

package dev.mlapp.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * An independent second decoder for the tests: the JDK's ImageIO (which the server no longer uses; its runtime has
 * no java.desktop), resized by the same PIL-exact resampler and scaled to 0–1, upright as stored (no EXIF).
 * JPEG decoders may round a pixel differently by one level; lossless formats must agree exactly.
 */
final class ImageIoReference {

    private ImageIoReference() {
    }

    static float[] toTensor(byte[] encoded, int width, int height) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0, o = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // a grey image's getRGB goes through a linear-grey colour space: read its samples as stored
                int argb = image.getType() == BufferedImage.TYPE_BYTE_GRAY
                        ? image.getRaster().getSample(x, y, 0) * 0x010101 : image.getRGB(x, y);
                rgb[o++] = (byte) (argb >> 16);
                rgb[o++] = (byte) (argb >> 8);
                rgb[o++] = (byte) argb;
            }
        }
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = Scaling.UNIT.apply(v);
        }
        RgbImage pixels = RgbImage.oriented(rgb, w, h, 3, w * 3, 0, 1, 2, Orientation.NORMAL);
        return new BicubicResampler(1).resize(pixels, width, height, lut);
    }
}

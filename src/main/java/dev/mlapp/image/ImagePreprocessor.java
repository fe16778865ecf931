package dev.mlapp.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns an uploaded image into the model's input: decode, RGB, resize to the model's size, scale.
 * Stateless and thread-safe.
 */
public final class ImagePreprocessor {

    private final int height;
    private final int width;
    private final Scaling scaling;
    private final long maxPixels;

    public ImagePreprocessor(int height, int width, Scaling scaling, long maxPixels) {
        this.height = height;
        this.width = width;
        this.scaling = scaling;
        this.maxPixels = maxPixels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** @return height × width × 3 floats, row-major RGB, scaled */
    public float[] toTensor(byte[] encoded) throws ImageException {
        BufferedImage image = decode(encoded);
        BufferedImage resized = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        float[] out = new float[height * width * 3];
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = resized.getRGB(x, y);
                out[i++] = scaling.apply((rgb >> 16) & 0xff);
                out[i++] = scaling.apply((rgb >> 8) & 0xff);
                out[i++] = scaling.apply(rgb & 0xff);
            }
        }
        return out;
    }

    private BufferedImage decode(byte[] encoded) throws ImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException(ImageException.Kind.UNSUPPORTED_FORMAT,
                        "not an image: expected JPEG, PNG, GIF or BMP");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new ImageException(ImageException.Kind.TOO_LARGE, "image has " + pixels
                            + " pixels, the limit is " + maxPixels);
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageException(ImageException.Kind.CORRUPT, "cannot decode image: " + e.getMessage(), e);
        }
    }
}

package dev.mlapp.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * The large pictures users upload, made on the spot (seeded, so every run gets the same bytes) instead of committed:
 * phone photos of a plate of food from 2 to 24 megapixels, baseline and progressive JPEG at a phone's quality with
 * 4:2:0 chroma, one stored sideways with an EXIF orientation as phones store portraits, and PNG screenshots of 1–3
 * megapixels. What decoding costs depends on how much detail a picture holds, so a photo carries what a camera
 * records: shapes with soft shading, texture at several scales and sensor grain, for about 2–4 bits per pixel as
 * a phone's JPEG has (a smooth synthetic picture would decode several times faster than a real one).
 *
 * <p>{@code java -cp ml-app.jar dev.mlapp.bench.PhotoSet DIR} writes them as files.
 */
public final class PhotoSet {

    /** One generated picture, encoded. */
    public record Photo(String name, String kind, int width, int height, byte[] bytes) {

        public double megapixels() {
            return width * (double) height / 1e6;
        }
    }

    private static final float JPEG_QUALITY = 0.92f;
    /** EXIF's value for "rotate 90° clockwise to view": how phones store a portrait photo. */
    private static final int EXIF_ROTATE_90_CW = 6;

    private PhotoSet() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/photos");
        Files.createDirectories(dir);
        for (Photo photo : standard()) {
            Files.write(dir.resolve(photo.name()), photo.bytes());
            System.out.printf("%s %d×%d %s %d bytes%n", photo.name(), photo.width(), photo.height(), photo.kind(),
                    photo.bytes().length);
        }
    }

    /** The benchmark's set, smallest first. Takes some seconds: the 24-megapixel photo alone is 72 MB of pixels. */
    public static List<Photo> standard() {
        return List.of(
                jpegPhoto("photo-2mp.jpg", 1600, 1200, false, false, 1),
                jpegPhoto("photo-5mp.jpg", 2592, 1944, false, false, 2),
                jpegPhoto("photo-8mp-progressive.jpg", 3264, 2448, true, false, 3),
                jpegPhoto("photo-12mp.jpg", 4000, 3000, false, false, 4),
                jpegPhoto("photo-12mp-progressive.jpg", 4000, 3000, true, false, 5),
                jpegPhoto("photo-12mp-portrait.jpg", 4000, 3000, false, true, 6),
                jpegPhoto("photo-24mp.jpg", 6000, 4000, false, false, 7),
                screenshot("screenshot-1mp.png", 1366, 768, 8),
                screenshot("screenshot-2mp.png", 1920, 1080, 9),
                screenshot("screenshot-3mp.png", 2048, 1536, 10));
    }

    /**
     * More JPEG photos for comparing predictions (other scenes, 1–5 megapixels, both encodings): a model's answer
     * on a dozen pictures says little about how often the modes disagree.
     */
    public static List<Photo> moreScenes() {
        int[][] sizes = {{1024, 768}, {1600, 1200}, {2048, 1536}, {2592, 1944}, {1200, 1600}, {1920, 1080}};
        List<Photo> photos = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            int[] size = sizes[i % sizes.length];
            photos.add(jpegPhoto("scene-" + i + ".jpg", size[0], size[1], i % 3 == 2, false, 100 + i));
        }
        return photos;
    }

    /** A photo from a file, sized from its header by ImageIO (the benchmark's other samples). */
    public static Photo fromBytes(String name, byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in);
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                return new Photo(name, format.equals("JPEG") ? "JPEG" : format, reader.getWidth(0),
                        reader.getHeight(0), bytes);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small set for tests and {@code bench --quick}: one photo of each kind, none over 2 megapixels. */
    public static List<Photo> quick() {
        return List.of(
                jpegPhoto("photo-2mp.jpg", 1600, 1200, false, false, 1),
                jpegPhoto("photo-2mp-progressive.jpg", 1600, 1200, true, true, 2),
                screenshot("screenshot-1mp.png", 1366, 768, 8));
    }

    static Photo jpegPhoto(String name, int width, int height, boolean progressive, boolean portrait, long seed) {
        BufferedImage image = photo(width, height, seed);
        byte[] jpeg = jpeg(image, progressive);
        if (portrait) {
            jpeg = withExifOrientation(jpeg, EXIF_ROTATE_90_CW);
        }
        String kind = (progressive ? "progressive" : "baseline") + " JPEG" + (portrait ? ", EXIF rotated" : "");
        return new Photo(name, kind, width, height, jpeg);
    }

    /** A plate of food on a wooden table, shot from above, with a camera's texture and grain. */
    static BufferedImage photo(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        float unit = Math.min(width, height) / 1000f;
        g.setPaint(new GradientPaint(0, 0, new Color(156, 104, 62), width, height, new Color(104, 66, 38)));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < 260; i++) { // wood grain
            float y = random.nextFloat() * height;
            Path2D grain = new Path2D.Float();
            grain.moveTo(0, y);
            for (int s = 1; s <= 8; s++) {
                grain.lineTo(width * s / 8f, y + (random.nextFloat() - 0.5f) * 14 * unit);
            }
            g.setColor(new Color(80 + random.nextInt(60), 50 + random.nextInt(30), 26 + random.nextInt(20),
                    60 + random.nextInt(80)));
            g.setStroke(new BasicStroke((0.6f + random.nextFloat() * 3) * unit));
            g.draw(grain);
        }
        float cx = width / 2f + (random.nextFloat() - 0.5f) * width * 0.1f;
        float cy = height / 2f + (random.nextFloat() - 0.5f) * height * 0.1f;
        float r = Math.min(width, height) * 0.42f;
        g.setColor(new Color(30, 20, 12, 110)); // shadow
        g.fill(new Ellipse2D.Float(cx - r + 18 * unit, cy - r + 26 * unit, 2 * r, 2 * r));
        g.setPaint(new RadialGradientPaint(cx - r / 4, cy - r / 4, r * 1.3f, new float[] {0f, 0.75f, 1f},
                new Color[] {new Color(250, 250, 246), new Color(224, 226, 222), new Color(170, 172, 170)}));
        g.fill(new Ellipse2D.Float(cx - r, cy - r, 2 * r, 2 * r));
        float food = r * 0.7f;
        g.setColor(new Color(186, 120, 50, 190)); // sauce
        g.fill(new Ellipse2D.Float(cx - food, cy - food * 0.9f, 2 * food, 1.8f * food));
        for (int i = 0; i < 900; i++) { // noodles, greens, chilli: many small overlapping strokes
            double angle = random.nextDouble() * 2 * Math.PI;
            double radius = Math.sqrt(random.nextDouble()) * food;
            float x = cx + (float) (Math.cos(angle) * radius);
            float y = cy + (float) (Math.sin(angle) * radius);
            Path2D strand = new Path2D.Float();
            strand.moveTo(x, y);
            double heading = random.nextDouble() * 2 * Math.PI;
            for (int s = 0; s < 5; s++) {
                heading += (random.nextDouble() - 0.5) * 1.5;
                x += (float) Math.cos(heading) * 22 * unit;
                y += (float) Math.sin(heading) * 22 * unit;
                strand.lineTo(x, y);
            }
            int pick = random.nextInt(10);
            Color color = pick < 7 ? new Color(230 - random.nextInt(50), 190 - random.nextInt(50), 90)
                    : pick < 9 ? new Color(60 + random.nextInt(40), 140 + random.nextInt(60), 50)
                    : new Color(200 + random.nextInt(40), 40, 30);
            g.setColor(color);
            g.setStroke(new BasicStroke((3 + random.nextFloat() * 4) * unit, BasicStroke.CAP_ROUND,
                    BasicStroke.JOIN_ROUND));
            g.draw(strand);
        }
        g.dispose();
        texture(image, random);
        return image;
    }

    /**
     * Multiplies in texture at two scales (value noise on coarse grids, interpolated) and adds per-pixel grain with
     * a little chroma noise, as a phone's sensor and lens leave them.
     */
    private static void texture(BufferedImage image, Random random) {
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        int width = image.getWidth();
        int height = image.getHeight();
        float[][] grids = {noiseGrid(width / 48 + 2, height / 48 + 2, random),
                noiseGrid(width / 6 + 2, height / 6 + 2, random)};
        int[] cells = {48, 6};
        long state = random.nextLong() | 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float shade = 1f;
                for (int level = 0; level < 2; level++) {
                    shade += (level == 0 ? 0.10f : 0.07f) * bilinear(grids[level], width / cells[level] + 2,
                            x / (float) cells[level], y / (float) cells[level]);
                }
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                int grain = (int) (state & 15) + (int) ((state >>> 4) & 15) - 15; // -15..15, peaked at 0
                int p = (y * width + x) * 3;
                for (int c = 0; c < 3; c++) {
                    int chroma = (int) ((state >>> (8 + 4 * c)) & 3) - 1;
                    int v = Math.round((pixels[p + c] & 0xFF) * shade) + grain / 2 + chroma;
                    pixels[p + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
    }

    private static float[] noiseGrid(int w, int h, Random random) {
        float[] grid = new float[w * h];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = random.nextFloat() * 2 - 1;
        }
        return grid;
    }

    private static float bilinear(float[] grid, int w, float x, float y) {
        int x0 = (int) x;
        int y0 = (int) y;
        float fx = x - x0;
        float fy = y - y0;
        int i = y0 * w + x0;
        float top = grid[i] + (grid[i + 1] - grid[i]) * fx;
        float bottom = grid[i + w] + (grid[i + w + 1] - grid[i + w]) * fx;
        return top + (bottom - top) * fy;
    }

    /** A desktop screenshot: flat panels, a photo thumbnail grid, lines of text; what PNG is used for. */
    static Photo screenshot(String name, int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(246, 247, 249));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(36, 41, 47));
        g.fillRect(0, 0, width, 56);
        g.setColor(new Color(230, 233, 237));
        g.fillRect(0, 56, width / 6, height - 56);
        for (int y = 80; y < height - 20; y += 24) { // side bar entries and body text
            words(g, random, 16, y, width / 6 - 16, new Color(60, 64, 70));
            words(g, random, width / 6 + 24, y, width / 3, new Color(30, 30, 30));
        }
        int tile = height / 5;
        BufferedImage thumbnail = photo(tile * 2, tile * 2, seed);
        for (int i = 0; i < 3; i++) { // photo thumbnails: the part of a screenshot PNG compresses badly
            g.drawImage(thumbnail, width / 2 + i * (tile + 12), 80, tile, tile, null);
        }
        g.dispose();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", bytes);
            return new Photo(name, "PNG screenshot", width, height, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A line of "text": word-sized runs of glyph-like strokes, drawn rather than typeset so that the bytes do not
     * depend on the fonts a machine has (nor fail on one that has none).
     */
    private static void words(Graphics2D g, Random random, int x, int baseline, int width, Color color) {
        g.setColor(color);
        for (int end = x + width; x < end; ) {
            for (int c = 2 + random.nextInt(8); c > 0 && x < end; c--, x += 8) {
                int h = 6 + random.nextInt(6);
                g.fillRect(x, baseline - h, 2 + random.nextInt(4), h);
                g.fillRect(x, baseline - 7, 6, 2);
            }
            x += 6;
        }
    }

    private static byte[] jpeg(BufferedImage image, boolean progressive) {
        return encodeJpeg(new IIOImage(image, null, null), JPEG_QUALITY, progressive);
    }

    /** ImageIO's JPEG encoder at this quality (0–1), baseline or progressive; also the tests' JPEG maker. */
    public static byte[] encodeJpeg(IIOImage image, float quality, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.setOutput(out);
            writer.write(null, image, param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** The JPEG with an EXIF APP1 segment holding only an orientation tag, inserted right after its SOI marker. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, first IFD at 8
                0, 1, // one entry
                0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, 1 value
                0, 0, 0, 0}; // no next IFD
        byte[] exif = new byte[6 + tiff.length];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, exif, 0, 6);
        System.arraycopy(tiff, 0, exif, 6, tiff.length);
        int segment = exif.length + 2;
        byte[] out = new byte[jpeg.length + 2 + segment];
        out[0] = jpeg[0];
        out[1] = jpeg[1];
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xE1;
        out[4] = (byte) (segment >> 8);
        out[5] = (byte) segment;
        System.arraycopy(exif, 0, out, 6, exif.length);
        System.arraycopy(jpeg, 2, out, 6 + exif.length, jpeg.length - 2);
        return out;
    }
}

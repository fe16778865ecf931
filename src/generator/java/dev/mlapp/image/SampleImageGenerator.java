package dev.mlapp.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.CubicCurve2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Draws the project's own sample picture for {@code GET /test}: a plate of noodles with spring onion, chilli and
 * chopsticks on a wooden table. Deterministic (fixed seed), so re-running it reproduces the committed
 * {@code src/main/resources/samples/sample.jpg}. A single-file program that needs only the JDK, so no build:
 * {@code java src/generator/java/dev/mlapp/image/SampleImageGenerator.java OUT.jpg}, which is what
 * {@code scripts/dev/generate-sample-image.sh} runs and {@code SampleImageTest} checks.
 */
public final class SampleImageGenerator {

    static final int SIZE = 384;
    static final float JPEG_QUALITY = 0.88f;
    private static final long SEED = 11; // Food-11

    private SampleImageGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "src/main/resources/samples/sample.jpg");
        byte[] jpeg = jpeg(draw());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, jpeg);
        System.out.println("wrote " + out + " (" + SIZE + "×" + SIZE + ", " + jpeg.length + " bytes)");
    }

    static BufferedImage draw() {
        Random random = new Random(SEED);
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        table(g, random);
        plate(g);
        noodles(g, random);
        toppings(g, random);
        chopsticks(g);
        g.dispose();
        return image;
    }

    private static void table(Graphics2D g, Random random) {
        g.setPaint(new GradientPaint(0, 0, new Color(150, 98, 58), SIZE, SIZE, new Color(118, 74, 42)));
        g.fillRect(0, 0, SIZE, SIZE);
        for (int i = 0; i < 70; i++) { // wood grain
            int y = random.nextInt(SIZE);
            g.setColor(new Color(95 + random.nextInt(40), 60 + random.nextInt(25), 32 + random.nextInt(15), 90));
            g.setStroke(new BasicStroke(0.8f + random.nextFloat() * 1.6f));
            g.draw(new CubicCurve2D.Float(0, y, SIZE / 3f, y + random.nextInt(14) - 7,
                    2 * SIZE / 3f, y + random.nextInt(14) - 7, SIZE, y + random.nextInt(10) - 5));
        }
        g.setColor(new Color(70, 44, 24, 120)); // plank seams
        g.setStroke(new BasicStroke(2f));
        for (int y = 64; y < SIZE; y += 128) {
            g.drawLine(0, y, SIZE, y + 3);
        }
    }

    private static void plate(Graphics2D g) {
        float c = SIZE / 2f;
        g.setColor(new Color(40, 25, 15, 90)); // shadow
        g.fill(new Ellipse2D.Float(c - 168, c - 150, 344, 330));
        g.setPaint(new RadialGradientPaint(c - 40, c - 50, 220, new float[] {0f, 0.8f, 1f},
                new Color[] {new Color(252, 252, 248), new Color(226, 228, 224), new Color(190, 192, 190)}));
        g.fill(new Ellipse2D.Float(c - 170, c - 166, 340, 334));
        g.setColor(new Color(60, 110, 170)); // blue rim line
        g.setStroke(new BasicStroke(3f));
        g.draw(new Ellipse2D.Float(c - 150, c - 146, 300, 294));
        g.setPaint(new RadialGradientPaint(c + 10, c + 10, 140, new float[] {0f, 1f},
                new Color[] {new Color(236, 236, 230), new Color(210, 212, 206)}));
        g.fill(new Ellipse2D.Float(c - 135, c - 131, 270, 264));
    }

    private static void noodles(Graphics2D g, Random random) {
        float c = SIZE / 2f;
        g.setColor(new Color(196, 128, 52, 170)); // broth pooled under the noodles
        g.fill(new Ellipse2D.Float(c - 118, c - 108, 236, 220));
        for (int i = 0; i < 150; i++) {
            Path2D noodle = strand(random, c, 100);
            int shade = random.nextInt(40);
            float width = 3.4f + random.nextFloat() * 1.6f;
            g.setStroke(new BasicStroke(width + 1.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(new Color(170 - shade, 110 - shade, 30, 200)); // darker edge
            g.draw(noodle);
            g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(new Color(240 - shade, 200 - shade, 96 - shade / 2));
            g.draw(noodle);
            g.setStroke(new BasicStroke(width / 3, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(new Color(255, 238, 176, 150)); // gloss
            g.draw(noodle);
        }
    }

    /** A wavy strand: a smooth random walk that turns back towards the centre when it nears the bowl's edge. */
    private static Path2D strand(Random random, float center, double radius) {
        double angle = random.nextDouble() * 2 * Math.PI;
        double r = Math.sqrt(random.nextDouble()) * radius;
        double x = center + Math.cos(angle) * r;
        double y = center + Math.sin(angle) * r;
        double heading = random.nextDouble() * 2 * Math.PI;
        Path2D path = new Path2D.Double();
        path.moveTo(x, y);
        for (int step = 0, steps = 8 + random.nextInt(8); step < steps; step++) {
            heading += (random.nextDouble() - 0.5) * 1.6;
            if (Math.hypot(x - center, y - center) > radius) {
                heading = Math.atan2(center - y, center - x) + (random.nextDouble() - 0.5);
            }
            double cx = x + Math.cos(heading) * 9;
            double cy = y + Math.sin(heading) * 9;
            heading += (random.nextDouble() - 0.5) * 1.6;
            x = cx + Math.cos(heading) * 9;
            y = cy + Math.sin(heading) * 9;
            path.quadTo(cx, cy, x, y);
        }
        return path;
    }

    private static void toppings(Graphics2D g, Random random) {
        float c = SIZE / 2f;
        for (int i = 0; i < 7; i++) { // shrimp
            double angle = random.nextDouble() * 2 * Math.PI;
            double radius = 30 + random.nextDouble() * 60;
            float x = c + (float) (Math.cos(angle) * radius);
            float y = c + (float) (Math.sin(angle) * radius);
            int start = random.nextInt(360);
            g.setStroke(new BasicStroke(9f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(new Color(232, 104, 64));
            g.drawArc((int) x - 13, (int) y - 13, 26, 26, start, 230);
            g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(new Color(255, 190, 160));
            g.drawArc((int) x - 13, (int) y - 13, 26, 26, start + 20, 190);
        }
        for (int i = 0; i < 45; i++) { // spring onion rings
            double angle = random.nextDouble() * 2 * Math.PI;
            double radius = Math.sqrt(random.nextDouble()) * 100;
            float x = c + (float) (Math.cos(angle) * radius);
            float y = c + (float) (Math.sin(angle) * radius);
            float r = 3.5f + random.nextFloat() * 3;
            g.setColor(new Color(60 + random.nextInt(40), 150 + random.nextInt(50), 50));
            g.setStroke(new BasicStroke(2.2f));
            g.draw(new Ellipse2D.Float(x - r, y - r, 2 * r, 2 * r * 0.8f));
        }
        for (int i = 0; i < 12; i++) { // chilli flakes
            double angle = random.nextDouble() * 2 * Math.PI;
            double radius = Math.sqrt(random.nextDouble()) * 95;
            g.setColor(new Color(200 + random.nextInt(40), 30, 25));
            g.fill(new Ellipse2D.Float(c + (float) (Math.cos(angle) * radius),
                    c + (float) (Math.sin(angle) * radius), 5, 3.5f));
        }
    }

    private static void chopsticks(Graphics2D g) {
        for (int i = 0; i < 2; i++) {
            Graphics2D stick = (Graphics2D) g.create();
            stick.rotate(Math.toRadians(-32 + i * 5), SIZE * 0.74, SIZE * 0.22);
            float x = SIZE * 0.40f;
            float y = SIZE * 0.20f + i * 14;
            stick.setColor(new Color(40, 25, 15, 90));
            stick.fill(new RoundRectangle2D.Float(x + 4, y + 6, 250, 9, 9, 9));
            stick.setPaint(new GradientPaint(x, y, new Color(110, 50, 30), x, y + 10, new Color(70, 28, 18)));
            stick.fill(new RoundRectangle2D.Float(x, y, 250, 10, 10, 10));
            stick.setColor(new Color(205, 160, 90));
            stick.fill(new RoundRectangle2D.Float(x + 170, y, 80, 10, 10, 10));
            stick.dispose();
        }
    }

    static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }
}

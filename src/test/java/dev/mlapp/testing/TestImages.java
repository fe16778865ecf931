package dev.mlapp.testing;

import dev.mlapp.bench.PhotoSet;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;

/**
 * Images made in code, so tests need no binary fixtures: encoded images of every kind, plus hand-made headers and
 * segments.
 */
public final class TestImages {

    public static final Color TOP_LEFT = new Color(220, 30, 40);
    public static final Color TOP_RIGHT = new Color(30, 200, 60);
    public static final Color BOTTOM_LEFT = new Color(40, 50, 210);
    public static final Color BOTTOM_RIGHT = new Color(240, 240, 240);

    private TestImages() {
    }

    public static BufferedImage solid(int width, int height, int type, Color color) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** A colourful picture in the given ImageIO format ("jpg", "png", "gif", "bmp"). */
    public static byte[] picture(String format, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int y = 0; y < height; y += 8) {
            g.setColor(new Color((y * 255 / height), 120, 255 - (y * 255 / height)));
            g.fillRect(0, y, width, 8);
        }
        g.setColor(Color.YELLOW);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        return encode(image, format);
    }

    /**
     * A valid PNG signature and IHDR that declares {@code width × height} pixels, followed by a tiny IDAT:
     * a few dozen bytes that would decode to gigabytes (a decompression bomb).
     */
    public static byte[] pngDeclaring(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        out.writeBytes(pngChunk("IHDR", ihdr.array()));
        out.writeBytes(pngChunk("IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0, 0, 1, 0, 1}));
        out.writeBytes(pngChunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** Four flat quadrants of distinct colours, so any flip or rotation shows in the corners. */
    public static BufferedImage quadrants(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        int hw = width / 2;
        int hh = height / 2;
        g.setColor(TOP_LEFT);
        g.fillRect(0, 0, hw, hh);
        g.setColor(TOP_RIGHT);
        g.fillRect(hw, 0, width - hw, hh);
        g.setColor(BOTTOM_LEFT);
        g.fillRect(0, hh, hw, height - hh);
        g.setColor(BOTTOM_RIGHT);
        g.fillRect(hw, hh, width - hw, height - hh);
        g.dispose();
        return image;
    }

    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer for image type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JPEG at quality 1.0 and no chroma subsampling loss worth mentioning: flat colours survive within ±2. */
    public static byte[] jpeg(BufferedImage image) {
        return writeJpeg(new IIOImage(image, null, null));
    }

    /** A 4-component JPEG of exactly these stored samples (no colour conversion by the encoder). */
    public static byte[] jpeg4(Raster samples) {
        return writeJpeg(new IIOImage(samples, null, null));
    }

    private static byte[] writeJpeg(IIOImage image) {
        return PhotoSet.encodeJpeg(image, 1f, false);
    }

    public static WritableRaster flat4(int width, int height, int... samples) {
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE,
                width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, samples);
            }
        }
        return raster;
    }

    /** Inserts a JPEG segment right after SOI. */
    public static byte[] withJpegSegment(byte[] jpeg, int marker, byte[] body) {
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + body.length);
        out.put(jpeg, 0, 2);
        out.put((byte) 0xFF).put((byte) marker).putShort((short) (body.length + 2)).put(body);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    public static byte[] adobeSegment(int transform) {
        return new byte[] {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
    }

    /** A minimal TIFF structure whose IFD0 holds only the orientation tag. */
    public static byte[] tiffWithOrientation(int orientation, boolean littleEndian) {
        ByteBuffer b = ByteBuffer.allocate(26)
                .order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        b.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M');
        b.putShort((short) 42).putInt(8);
        b.putShort((short) 1); // one entry
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0); // no next IFD
        return b.array();
    }

    public static byte[] exifApp1(int orientation, boolean littleEndian) {
        byte[] tiff = tiffWithOrientation(orientation, littleEndian);
        byte[] body = new byte[6 + tiff.length];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, body, 0, 6);
        System.arraycopy(tiff, 0, body, 6, tiff.length);
        return body;
    }

    /** Inserts a PNG chunk right after IHDR (signature 8 bytes + IHDR 25 bytes). */
    public static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        byte[] chunk = pngChunk(type, data);
        ByteBuffer out = ByteBuffer.allocate(png.length + chunk.length);
        out.put(png, 0, 33).put(chunk).put(png, 33, png.length - 33);
        return out.array();
    }

    public static byte[] pngChunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        b.putInt(data.length).put(typeBytes).put(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** A valid-looking PNG that declares {@code width × height} RGB pixels but carries only a few bytes of data. */
    public static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[128];
        int n = deflater.deflate(idat);
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        out.writeBytes(pngChunk("IHDR", ihdr.array()));
        out.writeBytes(pngChunk("IDAT", java.util.Arrays.copyOf(idat, n)));
        out.writeBytes(pngChunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** A GIF whose logical screen and only image descriptor claim {@code width × height}, with a tiny body. */
    public static byte[] gifHeaderOnly(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.ISO_8859_1));
        b.putShort((short) width).putShort((short) height).put((byte) 0x80).put((byte) 0).put((byte) 0);
        b.put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255}); // 2-colour global palette
        b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) width).putShort((short) height)
                .put((byte) 0);
        b.put((byte) 2).put((byte) 2).put((byte) 0x4C).put((byte) 0x01).put((byte) 0).put((byte) 0x3B);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** A 24-bit BMP header declaring {@code width × height} with no pixel data. */
    public static byte[] bmpHeaderOnly(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24).putInt(0).putInt(0)
                .putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    /** A JPEG whose SOF0 declares {@code width × height} (patched into a small real JPEG). */
    public static byte[] jpegDeclaring(int width, int height) {
        byte[] jpeg = jpeg(solid(16, 16, BufferedImage.TYPE_3BYTE_BGR, Color.GRAY));
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                jpeg[i + 5] = (byte) (height >> 8);
                jpeg[i + 6] = (byte) height;
                jpeg[i + 7] = (byte) (width >> 8);
                jpeg[i + 8] = (byte) width;
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF0 in the JPEG");
    }
}

package dev.mlapp.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Decoded pixels to 8-bit RGB the way PIL's {@code convert('RGB')} does: grey is replicated, alpha is dropped
 * (not composited), palettes are looked up, 16-bit samples keep their high byte, CMYK uses PIL's naive
 * {@code (255 − C)(255 − K)/255} with Adobe's inverted storage. Interleaved 8-bit rasters (nearly every JPEG and
 * PNG) are viewed in place; everything else is converted into a pooled buffer.
 */
final class RgbConverter {

    private RgbConverter() {
    }

    static DecodedImage convert(BufferedImage image, Orientation orientation, BufferPool pool) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel palette) {
            return fromPalette(raster, palette, orientation, pool);
        }
        int colors = cm.getNumColorComponents();
        if (colors != 1 && colors != 3) {
            throw new IllegalArgumentException("unsupported colour model with " + colors + " components");
        }
        DecodedImage inPlace = viewInPlace(raster, cm, colors, orientation);
        return inPlace != null ? inPlace : fromSamples(raster, cm, colors, orientation, pool);
    }

    /** Raw 4-band JPEG samples (as {@code ImageReader.readRaster} returns them) to RGB. */
    static DecodedImage fromCmykRaster(Raster raster, boolean ycck, Orientation orientation, BufferPool pool) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = pool.acquire(w * h * 3);
        int[] row = new int[w * 4];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int i = x * 4;
                int c = row[i];
                int m = row[i + 1];
                int ye = row[i + 2];
                if (ycck) {
                    // libjpeg turns YCCK into CMYK as 255 − (YCbCr→RGB); do the same, then treat as stored CMYK.
                    c = 255 - YCbCr.red(row[i], row[i + 2]);
                    m = 255 - YCbCr.green(row[i], row[i + 1], row[i + 2]);
                    ye = 255 - YCbCr.blue(row[i], row[i + 1]);
                }
                // Adobe stores inverted CMYK (255 = no ink), so stored K is already 255 − K.
                int notK = row[i + 3];
                out[o++] = (byte) cmykChannel(255 - c, notK);
                out[o++] = (byte) cmykChannel(255 - m, notK);
                out[o++] = (byte) cmykChannel(255 - ye, notK);
            }
        }
        return new DecodedImage(RgbImage.oriented(out, w, h, 3, w * 3, 0, 1, 2, orientation), true);
    }

    /** PIL's cmyk2rgb: {@code notK − round(ink · notK / 255)}. */
    private static int cmykChannel(int ink, int notK) {
        int t = ink * notK + 128;
        return notK - (((t >> 8) + t) >> 8);
    }

    private static DecodedImage viewInPlace(Raster raster, ColorModel cm, int colors, Orientation orientation) {
        if (!(cm instanceof ComponentColorModel) || cm.isAlphaPremultiplied()
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1
                || !(raster.getSampleModel() instanceof ComponentSampleModel sm)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return null;
        }
        for (int bank : sm.getBankIndices()) {
            if (bank != 0) {
                return null;
            }
        }
        int[] offsets = sm.getBandOffsets();
        int shift = buffer.getOffset();
        int r = shift + offsets[0];
        int g = shift + offsets[colors == 1 ? 0 : 1];
        int b = shift + offsets[colors == 1 ? 0 : 2];
        RgbImage view = RgbImage.oriented(buffer.getData(), raster.getWidth(), raster.getHeight(),
                sm.getPixelStride(), sm.getScanlineStride(), r, g, b, orientation);
        return new DecodedImage(view, false);
    }

    private static DecodedImage fromSamples(Raster raster, ColorModel cm, int colors, Orientation orientation,
                                            BufferPool pool) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int[] bits = new int[3];
        for (int c = 0; c < 3; c++) {
            bits[c] = cm.getComponentSize(colors == 1 ? 0 : c);
        }
        int[] row = new int[w * bands];
        byte[] out = pool.acquire(w * h * 3);
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int p = x * bands;
                for (int c = 0; c < 3; c++) {
                    out[o++] = (byte) to8Bit(row[p + (colors == 1 ? 0 : c)], bits[c]);
                }
            }
        }
        return new DecodedImage(RgbImage.oriented(out, w, h, 3, w * 3, 0, 1, 2, orientation), true);
    }

    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample & 0xFF;
        }
        if (bits > 8) {
            return (sample >>> (bits - 8)) & 0xFF; // PIL keeps the high byte of 16-bit samples
        }
        int max = (1 << bits) - 1;
        return sample * 255 / max;
    }

    private static DecodedImage fromPalette(Raster raster, IndexColorModel palette, Orientation orientation,
                                            BufferPool pool) {
        int size = palette.getMapSize();
        byte[] reds = new byte[size];
        byte[] greens = new byte[size];
        byte[] blues = new byte[size];
        palette.getReds(reds);
        palette.getGreens(greens);
        palette.getBlues(blues);
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] row = new int[w];
        byte[] out = pool.acquire(w * h * 3);
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int index = row[x];
                if (index >= size || index < 0) {
                    out[o++] = 0; // a pixel index past the palette's end (corrupt file): black
                    out[o++] = 0;
                    out[o++] = 0;
                    out[o++] = 0;
                    continue;
                }
                out[o++] = reds[index];
                out[o++] = greens[index];
                out[o++] = blues[index];
            }
        }
        return new DecodedImage(RgbImage.oriented(out, w, h, 3, w * 3, 0, 1, 2, orientation), true);
    }
}

package dev.mlapp.image;

import java.util.Arrays;
import java.util.Set;

/**
 * Which BMPs TensorFlow's reader decodes correctly, told from the header before it runs, and the palette it
 * leaves to us. Its kernel reads the pixel rows as 8-bit samples (an index into the palette), 24-bit BGR or 32-bit
 * BGRA and nothing else: it ignores the compression field, so an RLE or 16-bit file would come out as noise.
 * Those, and OS/2 headers, are refused by name; every BMP that Windows, PIL or the JDK writes by default is one of
 * the three kinds read here.
 */
final class BmpLayout {

    private static final int FILE_HEADER = 14;
    private static final int INFO_HEADER = 40;
    /** Every header size a BMP writer uses: Windows' 40, 52, 56, 108, 124, OS/2's 12, 16 and 64. */
    private static final Set<Long> HEADER_SIZES = Set.of(12L, 16L, 40L, 52L, 56L, 64L, 108L, 124L);
    private static final Set<Integer> DEPTHS = Set.of(1, 2, 4, 8, 16, 24, 32);
    private static final long BI_RGB = 0;
    private static final long BI_BITFIELDS = 3;
    /** The masks of plain BGRX/BGRA storage: the only bit fields the reader's fixed byte order matches. */
    private static final long[] BGRA_MASKS = {0x00FF0000L, 0x0000FF00L, 0x000000FFL};

    private BmpLayout() {
    }

    /** @throws ImageException UNSUPPORTED_FORMAT, saying which kind of BMP this is, for the kinds not decoded */
    static void requireSupported(byte[] d) throws ImageException {
        if (d.length < FILE_HEADER + INFO_HEADER) {
            throw ImageEnds.truncated(ImageFormat.BMP, "it ends inside its header");
        }
        long header = u32(d, FILE_HEADER);
        int bits = ImageHeaders.u16(d, 28, true);
        long compression = u32(d, 30);
        if (!HEADER_SIZES.contains(header) || !DEPTHS.contains(bits) || compression > 6) {
            throw new ImageException(ImageException.Kind.CORRUPT, "the BMP image is corrupt: its header holds no"
                    + " size, depth or compression a BMP can have");
        }
        if (header < INFO_HEADER || header == 64) {
            throw unsupported("an OS/2 header");
        }
        if (bits != 8 && bits != 24 && bits != 32) {
            throw unsupported(bits + " bits per pixel");
        }
        if (compression == BI_BITFIELDS && bits == 32 && d.length >= 66 && u32(d, 54) == BGRA_MASKS[0]
                && u32(d, 58) == BGRA_MASKS[1] && u32(d, 62) == BGRA_MASKS[2]) {
            return;
        }
        if (compression != BI_RGB) {
            throw unsupported(compression == 1 || compression == 2 ? "RLE compression"
                    : "compression type " + compression);
        }
    }

    /**
     * The file without what follows its last pixel row (TensorFlow's reader refuses any byte more, where PIL and
     * browsers ignore them); {@link ImageEnds} has checked that the rows are all there.
     */
    static byte[] withoutTrailingBytes(byte[] d) {
        long width = Math.abs((long) (int) u32(d, 18));
        long height = Math.abs((long) (int) u32(d, 22));
        int bits = ImageHeaders.u16(d, 28, true);
        long end = u32(d, 10) + (width * bits + 31) / 32 * 4 * height;
        return end < d.length ? Arrays.copyOf(d, (int) end) : d;
    }

    private static ImageException unsupported(String what) {
        return new ImageException(ImageException.Kind.UNSUPPORTED_FORMAT, "this BMP has " + what
                + ", which this server does not decode: it reads 8-bit palette, 24-bit and 32-bit uncompressed"
                + " BMPs; send a PNG or JPEG");
    }

    /**
     * Palette indices (one byte per pixel, as TensorFlow returns an 8-bit BMP) to packed RGB; an index past the
     * palette's end (a corrupt file) becomes black.
     */
    static void expandPalette(byte[] bmp, byte[] indices, int pixels, byte[] rgb) {
        int start = FILE_HEADER + (int) Math.min(u32(bmp, FILE_HEADER), bmp.length);
        long declared = u32(bmp, 46);
        int entries = (int) Math.min(declared == 0 || declared > 256 ? 256 : declared,
                Math.max(0, (bmp.length - start) / 4));
        byte[] table = new byte[256 * 3]; // unused entries stay black
        for (int i = 0; i < entries; i++) {
            int p = start + i * 4; // stored B, G, R, reserved
            table[i * 3] = bmp[p + 2];
            table[i * 3 + 1] = bmp[p + 1];
            table[i * 3 + 2] = bmp[p];
        }
        for (int i = 0, o = 0; i < pixels; i++, o += 3) {
            int t = (indices[i] & 0xFF) * 3;
            rgb[o] = table[t];
            rgb[o + 1] = table[t + 1];
            rgb[o + 2] = table[t + 2];
        }
    }

    /** BMP fields are little-endian. */
    private static long u32(byte[] d, int pos) {
        return ImageHeaders.u32(d, pos, true);
    }
}

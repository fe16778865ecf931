package dev.mlapp.image;

/**
 * One rule for "truncated", the same for every format: the file must reach the end its format defines — PNG's
 * IEND chunk (every chunk before it whole), JPEG's end-of-image marker after the scan data, GIF's trailer byte,
 * BMP's last pixel row. Decoders disagree about a file cut short (ImageIO pads a short PNG or GIF with zeros and
 * classifies it, giflib returns what it read; libjpeg-turbo stops with a warning; browsers draw what arrived), so the check runs before any of
 * them, on the bytes alone. Bytes after the end are accepted, as PIL and browsers accept them: cameras and
 * editors append data there, and it cannot change the picture.
 */
final class ImageEnds {

    private static final int GIF_EXTENSION = 0x21;
    private static final int GIF_IMAGE = 0x2C;
    private static final int GIF_TRAILER = 0x3B;

    private ImageEnds() {
    }

    static void requireComplete(ImageFormat format, byte[] data) throws ImageException {
        switch (format) {
            case PNG -> PngChunks.verify(data);
            case JPEG -> requireJpegEnd(data);
            case GIF -> requireGifTrailer(data);
            case BMP -> requireBmpPixels(data);
        }
    }

    static ImageException truncated(ImageFormat format, String detail) {
        return new ImageException(ImageException.Kind.CORRUPT,
                "the " + format + " image is truncated: " + detail + "; upload the whole file");
    }

    /**
     * Entropy-coded data never contains FF D9 (a literal FF is stuffed as FF 00), so the first FF D9 after the first
     * start-of-scan is the end of the image; header segments are skipped by their lengths, because an EXIF
     * thumbnail carries an end marker of its own.
     */
    private static void requireJpegEnd(byte[] d) throws ImageException {
        int pos = 2;
        while (true) {
            if (pos + 4 > d.length) {
                throw truncated(ImageFormat.JPEG, "it ends inside its header segments");
            }
            if ((d[pos] & 0xFF) != 0xFF) {
                return; // not a marker where one must be: corrupt rather than short, the decoder says so
            }
            int marker = d[pos + 1] & 0xFF;
            if (marker == 0xFF || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                pos += marker == 0xFF ? 1 : 2; // fill byte, or a marker without a length
                continue;
            }
            if (marker == 0xD9) {
                return; // an end before any scan: the decoder reports the missing image data
            }
            pos += 2 + u16be(d, pos + 2);
            if (marker == 0xDA) {
                break;
            }
        }
        for (int i = Math.min(pos, d.length); i + 1 < d.length; i++) {
            if ((d[i] & 0xFF) == 0xFF && (d[i + 1] & 0xFF) == 0xD9) {
                return;
            }
        }
        throw truncated(ImageFormat.JPEG, "it has no end-of-image marker (FF D9)");
    }

    /** Walks the blocks (extensions, images with their data sub-blocks) to the trailer byte. */
    private static void requireGifTrailer(byte[] d) throws ImageException {
        if (d.length < 13) {
            throw truncated(ImageFormat.GIF, "it ends inside its header");
        }
        int pos = 13 + GifFirstFrame.colourTableSize(d[10]);
        while (pos < d.length) {
            int block = d[pos] & 0xFF;
            if (block == GIF_TRAILER) {
                return;
            } else if (block == GIF_EXTENSION) {
                pos = GifFirstFrame.skipSubBlocks(d, pos + 2);
            } else if (block == GIF_IMAGE) {
                if (pos + 10 > d.length) {
                    break;
                }
                // the descriptor, its local colour table and the LZW minimum code size, then the data
                pos = GifFirstFrame.skipSubBlocks(d, pos + 10 + GifFirstFrame.colourTableSize(d[pos + 9]) + 1);
            } else {
                return; // an unknown block: corrupt rather than short, the decoder says so
            }
        }
        throw truncated(ImageFormat.GIF, "it ends before its trailer byte (3B)");
    }

    /**
     * Uncompressed BMPs: the pixel rows (each padded to 4 bytes) must all be there. Compressed ones (RLE) end
     * where their data says (and are refused by {@link BmpLayout}).
     */
    private static void requireBmpPixels(byte[] d) throws ImageException {
        if (d.length < 30 || u32le(d, 14) == 12) {
            return; // too short for a header, or an OS/2 BMP: BmpLayout refuses either
        }
        long compression = d.length >= 34 ? u32le(d, 30) : 0;
        if (compression != 0 && compression != 3) {
            return;
        }
        long width = Math.abs((long) (int) u32le(d, 18));
        long height = Math.abs((long) (int) u32le(d, 22));
        int bitsPerPixel = (d[28] & 0xFF) | (d[29] & 0xFF) << 8;
        long rowBytes = (width * bitsPerPixel + 31) / 32 * 4;
        long needed = height > Long.MAX_VALUE / 8 / Math.max(1, rowBytes) ? Long.MAX_VALUE
                : u32le(d, 10) + rowBytes * height;
        if (needed > d.length) {
            throw truncated(ImageFormat.BMP, "its pixel rows need " + needed + " bytes and the file has "
                    + d.length);
        }
    }

    private static int u16be(byte[] d, int pos) {
        return (d[pos] & 0xFF) << 8 | (d[pos + 1] & 0xFF);
    }

    private static long u32le(byte[] d, int pos) {
        return (d[pos] & 0xFFL) | (d[pos + 1] & 0xFFL) << 8 | (d[pos + 2] & 0xFFL) << 16 | (d[pos + 3] & 0xFFL) << 24;
    }
}

package dev.mlapp.image;

/**
 * What we need from an image's header segments before a decoder sees it: the declared size (so the pixel limit
 * does not depend on how each decoder treats absurd headers), the EXIF orientation (JPEG APP1, PNG eXIf)
 * and, for JPEG, the component count and the Adobe APP14 colour transform that tell CMYK from YCCK. Reads only
 * the segments before the image data; every length is bounds-checked, so hostile bytes only ever yield
 * "nothing found" (a declared size of 0 means "unknown", and the upload is refused as no picture).
 */
record ImageHeaders(long declaredWidth, long declaredHeight, Orientation orientation, int jpegComponents,
                    int adobeTransform) {

    static final int NO_ADOBE_MARKER = -1;
    /** APP14 transform value for YCCK-encoded CMYK. */
    static final int ADOBE_YCCK = 2;

    private static final int TAG_ORIENTATION = 0x0112;
    private static final int TYPE_SHORT = 3;

    static ImageHeaders read(ImageFormat format, byte[] data) {
        return switch (format) {
            case JPEG -> readJpeg(data);
            case PNG -> data.length >= 24
                    ? new ImageHeaders(u32be(data, 16), u32be(data, 20), readPngOrientation(data), 0, NO_ADOBE_MARKER)
                    : unknown();
            case GIF -> data.length >= 10
                    ? new ImageHeaders(u16(data, 6, true), u16(data, 8, true), Orientation.NORMAL, 0, NO_ADOBE_MARKER)
                    : unknown();
            case BMP -> readBmp(data);
        };
    }

    private static ImageHeaders unknown() {
        return new ImageHeaders(0, 0, Orientation.NORMAL, 0, NO_ADOBE_MARKER);
    }

    private static ImageHeaders readBmp(byte[] d) {
        if (d.length < 26) {
            return unknown();
        }
        long headerSize = u32(d, 14, true);
        if (headerSize == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sizes
            return new ImageHeaders(u16(d, 18, true), u16(d, 20, true), Orientation.NORMAL, 0, NO_ADOBE_MARKER);
        }
        // BITMAPINFOHEADER and later: signed 32-bit sizes, negative height = stored top-down
        long width = Math.abs((long) (int) u32(d, 18, true));
        long height = Math.abs((long) (int) u32(d, 22, true));
        return new ImageHeaders(width, height, Orientation.NORMAL, 0, NO_ADOBE_MARKER);
    }

    private static ImageHeaders readJpeg(byte[] d) {
        Orientation orientation = null;
        long width = 0;
        long height = 0;
        int components = 0;
        int adobe = NO_ADOBE_MARKER;
        int pos = 2;
        while (pos + 4 <= d.length) {
            if ((d[pos] & 0xFF) != 0xFF) {
                break;
            }
            int marker = d[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                pos += 2; // stand-alone markers carry no length
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                break; // start of scan / end of image: no more header segments
            }
            int length = u16be(d, pos + 2);
            int body = pos + 4;
            int end = pos + 2 + length;
            if (length < 2 || end > d.length) {
                break;
            }
            if (marker == 0xE1 && orientation == null && hasPrefix(d, body, end, "Exif\0\0")) {
                orientation = readTiffOrientation(d, body + 6, end);
            } else if (marker == 0xEE && hasPrefix(d, body, end, "Adobe") && end - body >= 12) {
                adobe = d[body + 11] & 0xFF;
            } else if (isStartOfFrame(marker) && end - body >= 6 && width == 0) {
                height = u16be(d, body + 1);
                width = u16be(d, body + 3);
                components = d[body + 5] & 0xFF;
            }
            pos = end;
        }
        return new ImageHeaders(width, height, orientation == null ? Orientation.NORMAL : orientation, components,
                adobe);
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static Orientation readPngOrientation(byte[] d) {
        int pos = 8;
        while (pos + 8 <= d.length) {
            long length = u32be(d, pos);
            String type = new String(d, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            long end = pos + 8 + length;
            if (end > d.length || type.equals("IDAT") || type.equals("IEND")) {
                break;
            }
            if (type.equals("eXIf")) {
                // Some writers keep the APP1 "Exif\0\0" prefix inside eXIf; PIL accepts both.
                int body = pos + 8;
                if (hasPrefix(d, body, (int) end, "Exif\0\0")) {
                    body += 6;
                }
                Orientation o = readTiffOrientation(d, body, (int) end);
                return o == null ? Orientation.NORMAL : o;
            }
            pos = (int) end + 4; // skip the CRC
        }
        return Orientation.NORMAL;
    }

    /** @return the orientation in IFD0 of the TIFF structure at {@code [start, end)}, or null if absent */
    private static Orientation readTiffOrientation(byte[] d, int start, int end) {
        if (end - start < 8) {
            return null;
        }
        boolean little;
        if (d[start] == 'I' && d[start + 1] == 'I') {
            little = true;
        } else if (d[start] == 'M' && d[start + 1] == 'M') {
            little = false;
        } else {
            return null;
        }
        long ifd = u32(d, start + 4, little);
        if (ifd < 8 || ifd > end - start - 2) {
            return null;
        }
        int dir = start + (int) ifd;
        int count = u16(d, dir, little);
        for (int i = 0; i < count; i++) {
            int entry = dir + 2 + i * 12;
            if (entry + 12 > end) {
                return null;
            }
            if (u16(d, entry, little) == TAG_ORIENTATION) {
                if (u16(d, entry + 2, little) != TYPE_SHORT) {
                    return null;
                }
                return Orientation.fromExif(u16(d, entry + 8, little));
            }
        }
        return null;
    }

    private static boolean hasPrefix(byte[] d, int start, int end, String prefix) {
        if (end - start < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (d[start + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static int u16(byte[] d, int pos, boolean little) {
        return little ? (d[pos] & 0xFF) | (d[pos + 1] & 0xFF) << 8 : u16be(d, pos);
    }

    static long u32(byte[] d, int pos, boolean little) {
        return little ? (u16(d, pos, true) | (long) u16(d, pos + 2, true) << 16) : u32be(d, pos);
    }

    private static int u16be(byte[] d, int pos) {
        return (d[pos] & 0xFF) << 8 | (d[pos + 1] & 0xFF);
    }

    private static long u32be(byte[] d, int pos) {
        return (long) u16be(d, pos) << 16 | u16be(d, pos + 2);
    }
}

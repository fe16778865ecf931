package dev.mlapp.image;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A GIF cut down to its first frame before giflib sees it: giflib's slurp decodes every frame into memory, and a
 * few megabytes of GIF can hold thousands of highly compressed full-size frames. The frame becomes the whole
 * picture (placed at 0,0 on a screen of its own size), as PIL's first frame gives it, and its
 * transparency flag is cleared: PIL's {@code convert('RGB')} keeps a transparent index's palette colour, where
 * TensorFlow's decoder would paint it black. Input must have passed {@link ImageEnds} (every block complete).
 */
record GifFirstFrame(byte[] bytes, int width, int height) {

    private static final int EXTENSION = 0x21;
    private static final int GRAPHIC_CONTROL = 0xF9;
    private static final int IMAGE = 0x2C;
    private static final int TRAILER = 0x3B;
    private static final int SCREEN_DESCRIPTOR_END = 13;

    static GifFirstFrame of(byte[] gif) throws ImageException {
        int tableEnd = SCREEN_DESCRIPTOR_END + colourTableSize(gif[10]);
        ByteArrayOutputStream out = new ByteArrayOutputStream(gif.length);
        out.write(gif, 0, tableEnd);
        int pos = tableEnd;
        while (pos < gif.length) {
            int block = gif[pos] & 0xFF;
            if (block == EXTENSION && pos + 1 < gif.length && (gif[pos + 1] & 0xFF) == GRAPHIC_CONTROL) {
                int end = Math.min(skipSubBlocks(gif, pos + 2), gif.length);
                byte[] control = Arrays.copyOfRange(gif, pos, end); // 21 F9 04, packed fields, delay, index, 00
                if (control.length > 3) {
                    control[3] &= (byte) 0xFE; // no transparent index
                }
                out.write(control, 0, control.length);
                pos = end;
            } else if (block == EXTENSION) {
                pos = skipSubBlocks(gif, pos + 2); // comments, application data: nothing the picture needs
            } else if (block == IMAGE) {
                return frame(gif, pos, out);
            } else {
                break;
            }
        }
        throw new ImageException(ImageException.Kind.CORRUPT, "the GIF image has no frame");
    }

    private static GifFirstFrame frame(byte[] gif, int pos, ByteArrayOutputStream out) throws ImageException {
        if (pos + 10 > gif.length) {
            throw ImageEnds.truncated(ImageFormat.GIF, "it ends inside its first frame's descriptor");
        }
        int width = ImageHeaders.u16(gif, pos + 5, true);
        int height = ImageHeaders.u16(gif, pos + 7, true);
        int dataStart = pos + 10 + colourTableSize(gif[pos + 9]);
        int end = skipSubBlocks(gif, dataStart + 1); // + LZW minimum code size
        if (end > gif.length) {
            throw ImageEnds.truncated(ImageFormat.GIF, "its first frame's data is cut short");
        }
        int descriptor = out.size();
        out.write(gif, pos, end - pos);
        out.write(TRAILER);
        byte[] result = out.toByteArray();
        putU16le(result, 6, width); // the screen is the frame
        putU16le(result, 8, height);
        putU16le(result, descriptor + 1, 0); // placed at 0,0
        putU16le(result, descriptor + 3, 0);
        return new GifFirstFrame(result, width, height);
    }

    static int colourTableSize(byte packed) {
        return (packed & 0x80) == 0 ? 0 : 3 << ((packed & 0x07) + 1);
    }

    /** @return the position after the zero-length terminator, or past the end if the data stops first */
    static int skipSubBlocks(byte[] d, int pos) {
        while (pos < d.length) {
            int length = d[pos] & 0xFF;
            pos += 1 + length;
            if (length == 0) {
                return pos;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static void putU16le(byte[] d, int pos, int value) {
        d[pos] = (byte) value;
        d[pos + 1] = (byte) (value >>> 8);
    }
}

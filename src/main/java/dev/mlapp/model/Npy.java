package dev.mlapp.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of float32 arrays, the exchange format of {@code infer} and of the Keras fixtures.
 *
 * <p>Reads format versions 1.0, 2.0 and 3.0, C order, little-endian {@code <f4} (and {@code <f8}, narrowed to
 * float32); anything else is refused with a message saying what was found. Writes version 1.0 {@code <f4}, which
 * {@code numpy.load} reads everywhere.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so that the data starts on a multiple of this. */
    private static final int ALIGNMENT = 64;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a float32 (or float64) C-order array; throws {@link NpyException} with the reason otherwise. */
    public static FloatArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    static FloatArray read(InputStream in, String name) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new NpyException(name + " is not a NumPy .npy file (no \\x93NUMPY signature)");
        }
        byte[] version = in.readNBytes(2);
        if (version.length < 2) {
            throw new NpyException(name + " ends inside its .npy header");
        }
        int major = version[0];
        int headerLength;
        if (major == 1) {
            headerLength = (int) littleEndian(in.readNBytes(2), name);
        } else if (major == 2 || major == 3) {
            long length = littleEndian(in.readNBytes(4), name);
            if (length > 1 << 20) {
                throw new NpyException(name + " has an implausible .npy header of " + length + " bytes");
            }
            headerLength = (int) length;
        } else {
            throw new NpyException(name + " is .npy format version " + major + "." + version[1]
                    + "; versions 1, 2 and 3 are supported");
        }
        byte[] headerBytes = in.readNBytes(headerLength);
        if (headerBytes.length < headerLength) {
            throw new NpyException(name + " ends inside its .npy header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = field(DESCR, header, "descr", name);
        if (field(FORTRAN, header, "fortran_order", name).equals("True")) {
            throw new NpyException(name + " is stored in Fortran order; save it in C order "
                    + "(numpy.ascontiguousarray) first");
        }
        long[] shape = parseShape(field(SHAPE, header, "shape", name), name);
        int bytesPerValue = switch (descr) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            default -> throw new NpyException(name + " holds dtype '" + descr
                    + "'; only little-endian float32 ('<f4') or float64 ('<f8') is supported");
        };
        long count = elementCount(shape, name);
        if (count > Integer.MAX_VALUE / bytesPerValue) {
            throw new NpyException(name + " holds " + count + " values, too many for one array");
        }
        byte[] raw = in.readNBytes((int) count * bytesPerValue);
        if (raw.length < count * bytesPerValue) {
            throw new NpyException(name + " is truncated: shape " + java.util.Arrays.toString(shape) + " needs "
                    + count * bytesPerValue + " data bytes, the file has " + raw.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[(int) count];
        if (bytesPerValue == 4) {
            buffer.asFloatBuffer().get(data);
        } else {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) buffer.getDouble();
            }
        }
        return new FloatArray(shape, data);
    }

    /** Writes a version 1.0 {@code <f4} C-order file, creating or replacing it. */
    public static void write(Path file, FloatArray array) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, array);
        }
    }

    static void write(OutputStream out, FloatArray array) throws IOException {
        StringBuilder shape = new StringBuilder();
        for (long d : array.shape()) {
            shape.append(d).append(", ");
        }
        if (array.shape().length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (array.shape().length == 1) {
            shape.setLength(shape.length() - 1);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padded = (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        String header = dict + " ".repeat(padded - unpadded) + "\n";
        if (header.length() > 0xffff) {
            throw new NpyException("shape " + java.util.Arrays.toString(array.shape()) + " is too long for .npy 1.0");
        }
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.write(head.array());
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer data = ByteBuffer.allocate(array.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(array.data());
        out.write(data.array());
    }

    private static long littleEndian(byte[] bytes, String name) throws NpyException {
        if (bytes.length != 2 && bytes.length != 4) {
            throw new NpyException(name + " ends inside its .npy header");
        }
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        return value;
    }

    private static String field(Pattern pattern, String header, String key, String name) throws NpyException {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new NpyException(name + " has no readable '" + key + "' in its .npy header: " + header.strip());
        }
        return m.group(1);
    }

    /** The product of the dimensions, refusing negative ones and products past a long (found by fuzzing). */
    private static long elementCount(long[] shape, String name) throws NpyException {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new NpyException(name + " has a negative dimension in its shape "
                        + java.util.Arrays.toString(shape));
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new NpyException(name + " declares shape " + java.util.Arrays.toString(shape)
                        + ", too many values for one array");
            }
        }
        return count;
    }

    private static long[] parseShape(String text, String name) throws NpyException {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1); // Python 2 longs
            }
            try {
                dims.add(Long.parseLong(p));
            } catch (NumberFormatException e) {
                throw new NpyException(name + " has an unreadable shape (" + text + ")");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** A file that is not a float .npy array this class can read. */
    public static final class NpyException extends IOException {
        public NpyException(String message) {
            super(message);
        }
    }
}

package dev.mlapp.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test-side reader of little-endian float32 {@code .npy} files (NumPy format versions 1–3, C order). */
record Npy(long[] shape, float[] data) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    static Npy read(Path path) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        buf.get(magic);
        if (!Arrays.equals(magic, "\u0093NUMPY".getBytes(StandardCharsets.ISO_8859_1))) {
            throw new IOException(path + " is not a .npy file");
        }
        int major = buf.get();
        buf.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
        byte[] header = new byte[headerLength];
        buf.get(header);
        String text = new String(header, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(text);
        Matcher shape = SHAPE.matcher(text);
        if (!descr.find() || !descr.group(1).equals("<f4") || text.contains("'fortran_order': True")
                || !shape.find()) {
            throw new IOException(path + ": only little-endian float32 in C order is supported: " + text);
        }
        long[] dims = Arrays.stream(shape.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        float[] data = new float[(int) Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
        buf.asFloatBuffer().get(data);
        return new Npy(dims, data);
    }
}

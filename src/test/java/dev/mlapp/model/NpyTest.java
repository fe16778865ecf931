package dev.mlapp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.SystemTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void writtenArraysReadBackWithShapeAndValues() throws IOException {
        for (long[] shape : new long[][] {{2, 3, 4}, {5}, {}, {0, 3}}) {
            float[] data = new float[(int) FloatArray.elementCount(shape)];
            for (int i = 0; i < data.length; i++) {
                data[i] = i * 0.25f - 1.5f;
            }
            Path file = dir.resolve("a.npy");
            Npy.write(file, new FloatArray(shape, data));
            FloatArray back = Npy.read(file);
            assertArrayEquals(shape, back.shape());
            assertArrayEquals(data, back.data());
        }
    }

    @Test
    void headerIsWhatNumpyWrites() throws IOException {
        Path file = dir.resolve("b.npy");
        Npy.write(file, new FloatArray(new long[] {2, 16}, new float[32]));
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 16), }", header.strip());
        assertEquals(0, (10 + headerLength) % 64, "data must start 64-byte aligned");
        assertEquals('\n', header.charAt(header.length() - 1));
        assertEquals(10 + headerLength + 32 * 4, bytes.length);
        Npy.write(file, new FloatArray(new long[] {7}, new float[7]));
        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("'shape': (7,)"));
    }

    @Test
    void readsVersion2HeadersAndFloat64() throws IOException {
        Path file = dir.resolve("c.npy");
        Files.write(file, npy(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 8, 1.5, -2.25, 1e-3));
        FloatArray array = Npy.read(file);
        assertArrayEquals(new long[] {3}, array.shape());
        assertArrayEquals(new float[] {1.5f, -2.25f, 1e-3f}, array.data());
    }

    @Test
    void refusesWhatItCannotRepresent() throws IOException {
        Path file = dir.resolve("d.npy");
        Files.write(file, npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4, 1.0));
        assertTrue(assertThrows(Npy.NpyException.class, () -> Npy.read(file)).getMessage().contains("'>f4'"));
        Files.write(file, npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 8, 1.0));
        assertTrue(assertThrows(Npy.NpyException.class, () -> Npy.read(file)).getMessage().contains("'<i8'"));
        Files.write(file, npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", 4, 1.0));
        assertTrue(assertThrows(Npy.NpyException.class, () -> Npy.read(file)).getMessage().contains("Fortran"));
        Files.write(file, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 4, 1.0));
        assertTrue(assertThrows(Npy.NpyException.class, () -> Npy.read(file)).getMessage().contains("truncated"));
        Files.writeString(file, "just text");
        assertTrue(assertThrows(Npy.NpyException.class, () -> Npy.read(file)).getMessage().contains("signature"));
    }

    @Test
    void readsEveryArrayOfTheSharedKerasCorpus() throws IOException {
        Path cases = SystemTools.requireShared("keras-conformance/cases");
        int read = 0;
        try (Stream<Path> files = Files.walk(cases)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".npy")).toList()) {
                FloatArray array = Npy.read(file);
                assertTrue(array.shape().length >= 1, file + " has a batch dimension");
                ByteArrayOutputStream copy = new ByteArrayOutputStream();
                Npy.write(copy, array);
                assertArrayEquals(Files.readAllBytes(file), copy.toByteArray(),
                        file + " written back byte for byte as numpy wrote it");
                read++;
            }
        }
        assertTrue(read >= 2, "found .npy files under " + cases);
    }

    private static byte[] npy(int version, String dict, int width, double... values) {
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) header.length());
        } else {
            b.putInt(header.length());
        }
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (double v : values) {
            if (width == 8) {
                b.putDouble(v);
            } else {
                b.putFloat((float) v);
            }
        }
        return b.array();
    }
}

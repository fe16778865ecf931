package dev.mlapp.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The skipping boundary search finds exactly what trying every position finds. */
class MultipartTest {

    @Test
    void indexOfAgreesWithTheNaiveSearchOnRandomBytesAndPlantedNeedles() {
        Random random = new Random(14);
        for (int round = 0; round < 2000; round++) {
            // A small alphabet makes partial matches (the hard case for a skip table) frequent.
            int alphabet = 2 + random.nextInt(round % 2 == 0 ? 3 : 254);
            byte[] haystack = randomBytes(random, random.nextInt(300), alphabet);
            byte[] needle = randomBytes(random, 1 + random.nextInt(12), alphabet);
            if (random.nextBoolean() && haystack.length >= needle.length) {
                System.arraycopy(needle, 0, haystack, random.nextInt(haystack.length - needle.length + 1),
                        needle.length);
            }
            int from = random.nextInt(haystack.length + 2) - 1;
            assertEquals(naive(haystack, needle, from), Multipart.indexOf(haystack, needle, from),
                    "round " + round);
        }
    }

    @Test
    void findsTheClosingBoundaryOfAnUploadAfterBoundaryLikeBytes() {
        byte[] needle = "\r\n--boundary42".getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = "xx\r\n--boundary4\r\n--boundary43\r\n--boundary42--".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(29, Multipart.indexOf(body, needle, 0));
        assertEquals(-1, Multipart.indexOf(body, needle, 30));
    }

    private static byte[] randomBytes(Random random, int length, int alphabet) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (random.nextInt(alphabet) - 1);
        }
        return bytes;
    }

    private static int naive(byte[] haystack, byte[] needle, int from) {
        for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
            boolean match = true;
            for (int j = 0; j < needle.length && match; j++) {
                match = haystack[i + j] == needle[j];
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }
}

package dev.mlapp.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the request parsing we wrote ourselves: Content-Type handling, the multipart boundary
 * and the multipart body. Whatever the bytes, the only way out is an image or an {@link ApiError} with a client
 * status; any other exception would be a 500 and a log line per crawler hit.
 *
 * <p>{@code mvn test} replays the inputs under {@code src/test/resources/dev/mlapp/http/UploadsFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes each target for its {@code maxDuration} (see scripts/test/fuzz.sh).
 */
class UploadsFuzzTest {

    private static final long MAX_BODY_BYTES = 64 * 1024;
    private static final Set<Integer> CLIENT_ERRORS = Set.of(400, 413, 415);

    /** Input: the Content-Type header, a newline, then the body. */
    @FuzzTest(maxDuration = "30s")
    void upload(byte[] input) throws IOException {
        int newline = indexOf(input, (byte) '\n');
        String contentType = newline < 0 ? null : new String(input, 0, newline, StandardCharsets.ISO_8859_1);
        byte[] body = newline < 0 ? input : java.util.Arrays.copyOfRange(input, newline + 1, input.length);
        if (contentType != null && contentType.indexOf('\r') >= 0) {
            return; // the JDK's request parser never delivers a header value with a CR in it
        }
        try {
            byte[] image = Uploads.image(new FakeExchange(contentType, body), MAX_BODY_BYTES);
            assertTrue(image.length > 0 && image.length <= body.length, "an image is a non-empty slice of the body");
        } catch (ApiError e) {
            assertTrue(CLIENT_ERRORS.contains(e.status()), "client error status, got " + e.status());
        }
    }

    /** Input: a multipart body with the boundary {@code B}, so mutations go to the structure. */
    @FuzzTest(maxDuration = "30s")
    void multipartBody(byte[] body) {
        try {
            List<Multipart.Part> parts = Multipart.parse(body, "B");
            assertTrue(parts.size() <= Multipart.MAX_PARTS);
            long bytes = parts.stream().mapToLong(p -> p.body().length).sum();
            assertTrue(bytes <= body.length, "parts never hold more than the body");
            parts.forEach(p -> assertTrue(p.name() != null, "every part has a name"));
        } catch (ApiError e) {
            assertTrue(e.status() == 400, "multipart errors are 400, got " + e.status());
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}

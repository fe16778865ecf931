package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads request bodies into memory, never past the configured limit (uploads are never written to disk). */
final class RequestBodies {

    private RequestBodies() {
    }

    static byte[] read(HttpExchange exchange, long maxBytes) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        // Not closed here: closing drains the unread rest of the body (up to ConnectionTimeouts.DEFAULT_DRAIN_BYTES),
        // which for an oversized upload must come after the 413 has gone out, when the exchange closes.
        InputStream in = exchange.getRequestBody();
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("Content-Length is not a number");
            }
            if (length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            if (length >= 0) {
                // Straight into an array of the declared size: readNBytes(max) would gather the body in chunks
                // and copy them again into its result (JFR: the largest part of the request's HTTP CPU).
                byte[] body = new byte[(int) length];
                int read = in.readNBytes(body, 0, body.length);
                return read == body.length ? body : Arrays.copyOf(body, read);
            }
        }
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return body;
    }

    private static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "payload_too_large", "the request body is larger than the limit of "
                + maxBytes + " bytes");
    }
}

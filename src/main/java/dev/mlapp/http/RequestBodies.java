package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies into memory, never past the configured limit (uploads are never written to disk). */
final class RequestBodies {

    private RequestBodies() {
    }

    static byte[] read(HttpExchange exchange, long maxBytes) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
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
        }
        // Not closed here: closing drains the unread rest of the body (up to ConnectionTimeouts.DEFAULT_DRAIN_BYTES),
        // which for an oversized upload must come after the 413 has gone out, when the exchange closes.
        InputStream in = exchange.getRequestBody();
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

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
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return body;
        }
    }

    /**
     * Reads and throws away what is left of the request body, at most {@code maxBytes}. Called after a 413 went out
     * and before the connection closes: closing a socket with unread bytes makes the kernel reset it, and the reset
     * can destroy the 413 in the client's receive buffer before the client reads it (nginx's "lingering close").
     * The request timeout bounds a client that stalls here.
     */
    static void discard(HttpExchange exchange, long maxBytes) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] sink = new byte[64 * 1024];
            long left = maxBytes;
            int n;
            while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException e) {
            // the client gave up or the connection broke: nothing left to protect
        }
    }

    private static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "payload_too_large", "the request body is larger than the limit of "
                + maxBytes + " bytes");
    }
}

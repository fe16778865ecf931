package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Finds the image in a request: the {@code file} field of a multipart form (the course's page and
 * {@code curl -F file=@x.jpg}) or a raw image body ({@code curl --data-binary @x.jpg -H 'Content-Type: image/jpeg'}).
 */
final class Uploads {

    static final String FIELD = "file";

    private Uploads() {
    }

    static byte[] image(HttpExchange exchange, long maxBytes) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || contentType.isBlank()) {
            throw new ApiError(415, "unsupported_media_type", "send the image as multipart/form-data field '"
                    + FIELD + "' or as a raw body with Content-Type image/jpeg, image/png, image/gif or image/bmp");
        }
        String type = contentType.toLowerCase(Locale.ROOT).strip();
        if (type.startsWith("multipart/form-data")) {
            String boundary = Multipart.boundary(contentType);
            List<Multipart.Part> parts = Multipart.parse(RequestBodies.read(exchange, maxBytes), boundary);
            Multipart.Part file = Multipart.find(parts, FIELD).orElseThrow(() -> ApiError.badRequest(
                    "the form has no field '" + FIELD + "': send the image as -F " + FIELD + "=@photo.jpg"));
            if (file.body().length == 0) {
                throw ApiError.badRequest("the uploaded file is empty");
            }
            return file.body();
        }
        if (type.startsWith("image/") || type.startsWith("application/octet-stream")) {
            byte[] body = RequestBodies.read(exchange, maxBytes);
            if (body.length == 0) {
                throw ApiError.badRequest("the request body is empty");
            }
            return body;
        }
        throw new ApiError(415, "unsupported_media_type", "Content-Type " + contentType
                + " is not an image upload; use multipart/form-data or image/*");
    }
}

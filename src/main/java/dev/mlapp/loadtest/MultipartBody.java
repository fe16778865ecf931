package dev.mlapp.loadtest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A {@code multipart/form-data} body with one file field, as a browser's upload form sends it. */
record MultipartBody(byte[] bytes, String contentType) {

    static MultipartBody ofFile(String field, String fileName, String fileType, byte[] content) {
        String boundary = "mlapp-" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 256);
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: " + fileType + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new MultipartBody(out.toByteArray(), "multipart/form-data; boundary=" + boundary);
    }

    static String mediaTypeOf(String fileName) {
        String lower = fileName.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        if (lower.endsWith(".gif")) {
            return "image/gif";
        }
        if (lower.endsWith(".bmp")) {
            return "image/bmp";
        }
        return "image/jpeg";
    }
}

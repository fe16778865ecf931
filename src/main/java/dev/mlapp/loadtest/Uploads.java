package dev.mlapp.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Requests that upload an image the way the app's upload form does. */
public final class Uploads {

    private Uploads() {
    }

    /** A POST of {@code image} as multipart field {@code file}, the form field {@code /predict} reads. */
    public static RequestTemplate multipartFile(Path image, String path) throws IOException {
        String name = image.getFileName().toString();
        MultipartBody body = MultipartBody.ofFile("file", name, MultipartBody.mediaTypeOf(name), Files.readAllBytes(image));
        return new RequestTemplate("POST", path, body.bytes(), body.contentType());
    }
}

package dev.mlapp.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JPEG bundled in the jar: what {@code GET /test} classifies, what warm-up and the self-check run, and what
 * {@code bench} uploads by default. Read from the jar once.
 */
public final class SampleImage {

    public static final String RESOURCE = "samples/sample.jpg";

    private static volatile byte[] bytes;

    private SampleImage() {
    }

    /** The sample's bytes, shared: callers must not modify the array. */
    public static byte[] jpeg() {
        byte[] read = bytes;
        if (read == null) {
            read = read();
            bytes = read;
        }
        return read;
    }

    private static byte[] read() {
        try (InputStream in = SampleImage.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks its sample image " + RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample image " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}

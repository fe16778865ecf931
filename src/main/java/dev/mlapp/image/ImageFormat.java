package dev.mlapp.image;

import java.util.Optional;

/**
 * The formats we decode, recognised by their magic bytes, so that each upload reaches only the one decoder its
 * format names (never a decoder that guesses from the content).
 */
enum ImageFormat {
    JPEG,
    PNG,
    GIF,
    BMP;

    static Optional<ImageFormat> sniff(byte[] data) {
        if (startsWith(data, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(data, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(PNG);
        }
        if (startsWith(data, 'G', 'I', 'F', '8')) {
            return Optional.of(GIF);
        }
        if (startsWith(data, 'B', 'M')) {
            return Optional.of(BMP);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] data, int... magic) {
        if (data.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((data[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}

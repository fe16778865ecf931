package dev.mlapp.image;

/** An upload that cannot become a model input; {@link Kind} says whose fault and which HTTP status. */
public final class ImageException extends Exception {

    public enum Kind {
        /** Not an image format we decode (415). */
        UNSUPPORTED_FORMAT,
        /** Looks like an image but cannot be decoded: truncated, corrupt, zero-sized (400). */
        CORRUPT,
        /** Declares more pixels than the configured limit (413); refused before decoding. */
        TOO_LARGE
    }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /**
     * The one message for an image its decoder refused. The decoder's own words (TensorFlow's
     * {@code jpeg::Uncompress failed ... [[{{node ...}}]]}) mean nothing to the person who uploaded it: they
     * travel as the cause, for the log.
     */
    public static ImageException undecodable(String format, Throwable cause) {
        return new ImageException(Kind.CORRUPT, "the " + format + " image is corrupt: its decoder cannot read it",
                cause);
    }

    public Kind kind() {
        return kind;
    }
}

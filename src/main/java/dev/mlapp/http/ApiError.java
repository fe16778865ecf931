package dev.mlapp.http;

/**
 * A request that ends in an error response: status, a stable machine-readable code, and a sentence for people.
 * Thrown anywhere below a handler; {@link ServerFilter} turns it into the JSON body.
 */
public final class ApiError extends RuntimeException {

    private final int status;
    private final String code;
    private final int retryAfterSeconds;

    public ApiError(int status, String code, String message) {
        this(status, code, message, 0);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} when positive (503s) */
    public ApiError(int status, String code, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static ApiError notFound(String path) {
        return new ApiError(404, "not_found", "no such endpoint: " + path);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }
}

package dev.mlapp.http;

import dev.mlapp.image.ImageException;
import dev.mlapp.inference.DeadlineExceededException;
import dev.mlapp.inference.EngineClosedException;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.inference.OverloadedException;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.model.InferenceException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A request that ends in an error response: status, a stable machine-readable code, and a sentence for people.
 * Thrown anywhere below a handler; {@link ServerFilter} turns it into the JSON body.
 */
public final class ApiError extends RuntimeException {

    private static final Logger LOG = Logger.getLogger(ApiError.class.getName());
    /** Seconds a client is told to wait after a 503 (overloaded, not ready, failing). */
    static final int RETRY_AFTER_SECONDS = 1;

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

    /** A 503 with {@code Retry-After}: this replica cannot answer now, another (or this one shortly) can. */
    static ApiError retryLater(String code, String message) {
        return new ApiError(503, code, message, RETRY_AFTER_SECONDS);
    }

    /**
     * The model a request needs, held for it (close it when the response is written, so a version swapped out
     * meanwhile is released only then), or the 503 that says why there is none: a quick, retryable refusal while
     * the model loads or fails, rather than one slow 500 per request until the load balancer notices {@code /readyz}.
     */
    static ServingModel serving(ModelHost host) {
        ModelHost.State state = host.holdIfReady();
        return switch (state.phase()) {
            case READY -> state.model();
            case STARTING -> throw retryLater("not_ready", "the model is still loading; retry shortly");
            case FAILED -> throw retryLater("model_unavailable", "the model failed to load: " + state.reason());
            case FAILING -> throw retryLater("model_failing", "the model is failing on this replica; retry shortly");
        };
    }

    /** The status, code and sentence of a failed prediction on any route; other exceptions are returned unchanged. */
    static RuntimeException refusal(Exception e) {
        if (e instanceof ImageException && e.getCause() != null) { // the decoder's own words: for whoever debugs,
            LOG.log(Level.FINE, e.getMessage() + " The decoder said: " + e.getCause(), e.getCause()); // not the client
        }
        return switch (e) {
            case ImageException image -> switch (image.kind()) {
                case UNSUPPORTED_FORMAT -> new ApiError(415, "unsupported_image", e.getMessage());
                case CORRUPT -> new ApiError(400, "invalid_image", e.getMessage());
                case TOO_LARGE -> new ApiError(413, "image_too_large", e.getMessage());
            };
            case OverloadedException overloaded -> retryLater("overloaded", "this replica is at capacity ("
                    + e.getMessage() + "); retry shortly");
            case EngineClosedException closed -> retryLater("shutting_down",
                    "this replica is shutting down; retry shortly");
            case DeadlineExceededException late -> retryLater("deadline_exceeded",
                    "the request waited too long for the model (" + e.getMessage() + "); retry shortly");
            case InferenceException failed -> new ApiError(500, "inference_failed", e.getMessage());
            case RuntimeException other -> other;
            default -> new IllegalStateException(e);
        };
    }

    static ApiError notFound(String path) {
        return new ApiError(404, "not_found", "no such endpoint: " + path);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }
}

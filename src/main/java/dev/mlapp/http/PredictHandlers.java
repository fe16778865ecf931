package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import dev.mlapp.image.ImageException;
import dev.mlapp.image.SampleImage;
import dev.mlapp.inference.DeadlineExceededException;
import dev.mlapp.inference.EngineClosedException;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.inference.OverloadedException;
import dev.mlapp.inference.Prediction;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.metrics.AppMetrics;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.ModelInfo;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code POST /predict}, {@code POST /api/v1/predict} and {@code GET /test}. */
record PredictHandlers(ModelHost host, long maxBodyBytes, String podName, AppMetrics metrics) {

    private static final Logger LOG = Logger.getLogger(PredictHandlers.class.getName());
    /** Appended to the course's text answer when the model is the embedded one, whose answers mean nothing. */
    static final String DEMO_NOTE = " (demo model: untrained weights)";

    static final int DEFAULT_K = 5;
    /** On every prediction: the version that answered (see {@link ModelHost#serveVersions}). */
    static final String MODEL_VERSION_HEADER = "X-Model-Version";

    /** The course's route: text by default, JSON when asked. */
    void predict(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        try (ServingModel served = ApiError.serving(host)) {
            reply(exchange, served, classify(served, Uploads.image(exchange, maxBodyBytes), DEFAULT_K, metrics),
                    Responses.wantsJson(exchange), start);
        }
    }

    /** The API route: always JSON, {@code ?k=} classes. */
    void predictApi(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        int k = topK(exchange);
        try (ServingModel served = ApiError.serving(host)) {
            reply(exchange, served, classify(served, Uploads.image(exchange, maxBodyBytes), k, metrics), true,
                    start);
        }
    }

    /** The course's readiness and siege target: the bundled sample image. */
    void test(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        try (ServingModel served = ApiError.serving(host)) {
            reply(exchange, served, classify(served, SampleImage.jpeg(), DEFAULT_K, metrics),
                    Responses.wantsJson(exchange), start);
        }
    }

    /** Classifies on {@code served} and counts the prediction; any failure as the API error every route answers. */
    static Prediction classify(ServingModel served, byte[] image, int k, AppMetrics metrics) {
        try {
            Prediction prediction = served.classify(image, k);
            metrics.prediction(prediction.best().label(), prediction.preprocessNanos(), prediction.inferenceNanos());
            return prediction;
        } catch (ImageException | RuntimeException e) {
            throw refusal(e);
        }
    }

    /** The status, code and sentence of a failed prediction; other exceptions are returned unchanged. */
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
            case OverloadedException overloaded -> ApiError.retryLater("overloaded", "this replica is at capacity ("
                    + e.getMessage() + "); retry shortly");
            case EngineClosedException closed -> ApiError.retryLater("shutting_down",
                    "this replica is shutting down; retry shortly");
            case DeadlineExceededException late -> ApiError.retryLater("deadline_exceeded",
                    "the request waited too long for the model (" + e.getMessage() + "); retry shortly");
            case InferenceException failed -> new ApiError(500, "inference_failed", e.getMessage());
            case RuntimeException other -> other;
            default -> new IllegalStateException(e);
        };
    }

    /** @param start when the handler began: {@code total_ms} covers reading the upload, preprocessing and the model */
    private void reply(HttpExchange exchange, ServingModel served, Prediction prediction, boolean json, long start)
            throws IOException {
        exchange.getResponseHeaders().set(MODEL_VERSION_HEADER, served.version());
        exchange.getResponseHeaders().set("Server-Timing", serverTiming(prediction));
        if (!json) {
            Prediction.ScoredLabel best = prediction.best();
            // The course's exact format for a real model; the demo note after it, so scripts that cut the line at
            // " seconds" still read it. Its time is the course's: the course's app times opening, converting and
            // resizing the image and the model's predict together, so here preprocessing, the wait for the model
            // and the model run (inference_ms in the JSON is the model run alone).
            double seconds = (prediction.preprocessNanos() + prediction.queueNanos() + prediction.inferenceNanos())
                    / 1e9;
            Responses.text(exchange, 200, String.format(Locale.ROOT, "%s (%.2f), Inference Time : %.4f seconds",
                    best.label(), best.probability(), seconds)
                    + (served.info().demo() ? DEMO_NOTE : ""));
            return;
        }
        Responses.json(exchange, 200, body(served, prediction, start));
    }

    /**
     * The W3C Server-Timing header (browsers' developer tools show it): each part of the request's time, in ms to
     * three decimals, written digit by digit: {@code String.format} was the costliest line of the reply (JFR).
     */
    static String serverTiming(Prediction prediction) {
        StringBuilder timing = new StringBuilder(72).append("preprocess;dur=");
        appendMillis(timing, prediction.preprocessNanos()).append(", queue;dur=");
        appendMillis(timing, prediction.queueNanos()).append(", inference;dur=");
        return appendMillis(timing, prediction.inferenceNanos()).toString();
    }

    /** {@code nanos} as milliseconds with three decimals, rounded half up, as {@code %.3f} of a duration prints it. */
    static StringBuilder appendMillis(StringBuilder to, long nanos) {
        long micros = (Math.max(0, nanos) + 500) / 1000;
        long fraction = micros % 1000;
        return to.append(micros / 1000).append('.').append(fraction < 100 ? fraction < 10 ? "00" : "0" : "")
                .append(fraction);
    }

    /**
     * The JSON answer, streamed by Gson's writer in the API's field order: no maps of boxed values and no
     * reflective type adapters per request. {@code total_ms} is taken last, just before the answer is sent.
     */
    private String body(ServingModel served, Prediction prediction, long start) throws IOException {
        ModelInfo info = served.info();
        StringWriter text = new StringWriter(512);
        JsonWriter json = new JsonWriter(text);
        json.setHtmlSafe(false);
        json.setStrictness(Strictness.LENIENT); // NaN and infinities written, as Json.GSON writes them
        json.beginObject();
        json.name("label").value(prediction.best().label());
        json.name("confidence").value((Float) prediction.best().probability());
        json.name("top_k").beginArray();
        for (Prediction.ScoredLabel s : prediction.topK()) {
            json.beginObject().name("label").value(s.label()).name("probability").value((Float) s.probability())
                    .endObject();
        }
        json.endArray();
        json.name("inference_ms").value(round(prediction.inferenceNanos() / 1e6));
        json.name("preprocess_ms").value(round(prediction.preprocessNanos() / 1e6));
        json.name("queue_ms").value(round(prediction.queueNanos() / 1e6));
        json.name("batch_size").value(prediction.batchSize());
        json.name("pod").value(podName);
        json.name("model").beginObject().name("name").value(info.name()).name("version").value(served.version())
                .name("sha256").value(info.sha256()).name("demo").value(info.demo()).endObject();
        json.name("total_ms").value(round((System.nanoTime() - start) / 1e6));
        json.endObject();
        json.flush();
        return text.toString();
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    private static int topK(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return DEFAULT_K;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("k=")) {
                try {
                    int k = Integer.parseInt(pair.substring(2));
                    if (k >= 1 && k <= 1000) {
                        return k;
                    }
                } catch (NumberFormatException e) {
                    // fall through to the error below
                }
                throw ApiError.badRequest("k must be a whole number from 1 to 1000");
            }
        }
        return DEFAULT_K;
    }
}

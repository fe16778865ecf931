package dev.mlapp.http;

import com.sun.net.httpserver.HttpExchange;
import dev.mlapp.image.ImageException;
import dev.mlapp.image.SampleImage;
import dev.mlapp.inference.Item;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.inference.Prediction;
import dev.mlapp.inference.ServingModel;
import dev.mlapp.metrics.AppMetrics;
import dev.mlapp.model.ModelInfo;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;

/** {@code POST /predict}, {@code POST /api/v1/predict} and {@code GET /test}. */
record PredictHandlers(ModelHost host, long maxBodyBytes, String podName, AppMetrics metrics) {

    /** Appended to the course's text answer when the model is the embedded one, whose answers mean nothing. */
    static final String DEMO_NOTE = " (demo model: untrained weights)";

    static final int DEFAULT_K = 5;
    /** On every prediction: the version that answered (see {@link ModelHost#serveVersions}). */
    static final String MODEL_VERSION_HEADER = "X-Model-Version";

    /** The course's route: text by default, JSON when asked. */
    void predict(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        try (ServingModel served = ApiError.serving(host)) {
            reply(exchange, served, classify(served, Uploads.image(exchange, maxBodyBytes), DEFAULT_K),
                    Responses.wantsJson(exchange), start);
        }
    }

    /** The API route: always JSON, {@code ?k=} classes. */
    void predictApi(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        int k = topK(exchange);
        try (ServingModel served = ApiError.serving(host)) {
            reply(exchange, served, classify(served, Uploads.image(exchange, maxBodyBytes), k), true,
                    start);
        }
    }

    /** The course's readiness and siege target: the bundled sample image. */
    void test(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        try (ServingModel served = ApiError.serving(host)) {
            reply(exchange, served, classify(served, SampleImage.jpeg(), DEFAULT_K),
                    Responses.wantsJson(exchange), start);
        }
    }

    private Prediction classify(ServingModel served, byte[] image, int k) {
        return classify(served, List.of(Item.image(image)), k, metrics).getFirst();
    }

    /**
     * Classifies a request's items on {@code served}, as one, and counts each prediction; any failure as the API
     * error every route answers ({@link ApiError#refusal}).
     */
    static List<Prediction> classify(ServingModel served, List<Item> items, int k, AppMetrics metrics) {
        try {
            List<Prediction> predictions = served.classify(items, k);
            for (Prediction p : predictions) {
                metrics.prediction(p.best().label(), p.preprocessNanos(), p.inferenceNanos());
            }
            return predictions;
        } catch (ImageException | RuntimeException e) {
            throw ApiError.refusal(e);
        }
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

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
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
        Map<String, Object> body = body(served, prediction);
        body.put("total_ms", round((System.nanoTime() - start) / 1e6));
        Responses.json(exchange, 200, body);
    }

    /** The W3C Server-Timing header (browsers' developer tools show it): each part of the request's time, in ms. */
    private static String serverTiming(Prediction prediction) {
        return String.format(Locale.ROOT, "preprocess;dur=%.3f, queue;dur=%.3f, inference;dur=%.3f",
                prediction.preprocessNanos() / 1e6, prediction.queueNanos() / 1e6, prediction.inferenceNanos() / 1e6);
    }

    private Map<String, Object> body(ServingModel served, Prediction prediction) {
        ModelInfo info = served.info();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("label", prediction.best().label());
        body.put("confidence", prediction.best().probability());
        List<Map<String, Object>> top = prediction.topK().stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", s.label());
            m.put("probability", s.probability());
            return m;
        }).toList();
        body.put("top_k", top);
        body.put("inference_ms", round(prediction.inferenceNanos() / 1e6));
        body.put("preprocess_ms", round(prediction.preprocessNanos() / 1e6));
        body.put("queue_ms", round(prediction.queueNanos() / 1e6));
        body.put("batch_size", prediction.batchSize());
        body.put("pod", podName);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", info.name());
        model.put("version", served.version());
        model.put("sha256", info.sha256());
        model.put("demo", info.demo());
        body.put("model", model);
        return body;
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

package dev.mlapp.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImageLayout;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import dev.mlapp.inference.CpuLimit;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.loadtest.Latencies;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * The {@code bench} command's measurements, in order: (1) raw in-process model throughput per batch size,
 * (2) end-to-end HTTP throughput and latency at each concurrency against a server started in this process,
 * (3) their ratio, then resident memory over many requests, and an open-loop overload run at a multiple of the best
 * throughput (2) reached. Prints a table as it goes and, as its last line, one JSON object with every figure.
 */
public final class Benchmark {

    /** What to measure and for how long. */
    public record Settings(Path model, String imageName, byte[] jpeg, EngineOptions engine,
                           List<Integer> batchSizes, List<Integer> concurrencies, Duration rawPerBatchSize,
                           Duration httpPerConcurrency, double overloadFactor, double sustainableRate,
                           Duration overloadDuration, long rssRequests, List<PreprocessSample> preprocessSamples,
                           Duration preprocessPerPath, int coldStarts, List<String> serveArgs,
                           int routeComparisonRounds, Photos photos) {
    }

    /**
     * The photo phase: the generated {@link PhotoSet} and the preprocessing samples, photo → tensor in each JPEG
     * mode, and the modes' agreement on each of {@code models}; {@code only} skips every other phase.
     */
    public record Photos(boolean run, boolean only, List<Path> models, Duration cpuPerPath, boolean quick) {

        public static Photos off() {
            return new Photos(false, false, List.of(), Duration.ZERO, false);
        }
    }

    /** One image for the Java-vs-TensorFlow preprocessing comparison. */
    public record PreprocessSample(String name, byte[] jpeg) {
    }

    /** The server under test, started by the caller so that this package does not depend on its configuration. */
    public interface Server extends AutoCloseable {
        int port();

        /** The model's name in the Open Inference Protocol's {@code /v2/models/{name}}. */
        String modelName();

        @Override
        void close();
    }

    @FunctionalInterface
    public interface ServerStarter {
        Server start(Path model, EngineOptions engine);
    }

    private final Settings settings;
    private final PrintStream out;
    private final JsonObject json = new JsonObject();
    /** CPU ms of one decode + resize of the benchmark's image ({@link #preprocessingFloor}). */
    private double decodeFloorMillis = Double.NaN;

    private Benchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * Runs everything; returns the JSON object it printed last.
     *
     * @throws IOException the route comparison got an answer other than 200 (the message says which and why)
     */
    public static JsonObject run(Settings settings, ServerStarter starter, PrintStream out)
            throws InterruptedException, ImageException, IOException {
        return new Benchmark(settings, out).run(starter);
    }

    private JsonObject run(ServerStarter starter) throws InterruptedException, ImageException, IOException {
        if (settings.photos().only()) {
            createTensorFlowPools();
            photos();
            table("");
            out.println(json);
            return json;
        }
        EngineOptions engine = settings.engine();
        out.printf(Locale.ROOT, "machine: %d processors, CPU limit %d cores; engine: %d worker(s), max batch %d, "
                        + "timeout %d µs, queue %d, TF intra/inter-op threads %d/%d%n",
                Runtime.getRuntime().availableProcessors(), CpuLimit.detect(), engine.workers(), engine.maxBatchSize(),
                engine.batchTimeoutMicros(), engine.queueCapacity(), engine.intraOpThreads(), engine.interOpThreads());
        json.addProperty("processors", Runtime.getRuntime().availableProcessors());
        json.addProperty("cpu_limit_cores", CpuLimit.detect());
        json.add("engine", new Gson().toJsonTree(Map.of("workers", engine.workers(),
                "max_batch_size", engine.maxBatchSize(), "batch_timeout_micros", engine.batchTimeoutMicros(),
                "queue_capacity", engine.queueCapacity(), "intra_op_threads", engine.intraOpThreads(),
                "inter_op_threads", engine.interOpThreads())));
        json.addProperty("image", settings.imageName());
        json.addProperty("image_bytes", settings.jpeg().length);

        coldStarts();
        createTensorFlowPools();
        preprocessingFloor();
        preprocessing();
        photos();
        RawThroughput.Point[] raw = raw();
        try (Server server = starter.start(settings.model(), engine)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            awaitReady(base);
            calibration(base);
            HttpLoad load = new HttpLoad(server.port(), "/api/v1/predict", settings.jpeg());
            load.closedLoop(2, 20); // warm-up: JIT, connections, TF first runs
            compareRoutes(base, server.modelName());
            double bestHttp = http(load, raw);
            rawAgain(raw[1]);
            memory(load);
            overload(load, settings.sustainableRate() > 0 ? settings.sustainableRate() : bestHttp);
        }
        table("");
        out.println(json);
        return json;
    }

    /**
     * Cold starts first, while this process is still small and idle: each a new JVM serving the model, timed to
     * {@code /readyz} 200, then its first requests against the steady latency after them.
     */
    private void coldStarts() throws InterruptedException {
        if (settings.coldStarts() <= 0) {
            return;
        }
        table(String.format(Locale.ROOT, "Cold start: a new JVM running serve, launch → /readyz 200; then %d "
                + "requests, each against the steady p50 of the 40 after them", ColdStart.FIRST_REQUESTS));
        JsonArray rows = new JsonArray();
        double sum = 0;
        double worst = 0;
        for (int i = 0; i < settings.coldStarts(); i++) {
            try {
                ColdStart.Result r = ColdStart.measure(settings.model(), settings.jpeg(), settings.serveArgs());
                table(String.format(Locale.ROOT, "  start %d: ready in %.0f ms; first requests %s ms; steady p50 "
                        + "%.2f ms; worst first / steady p50 = %.2f (worst of 10 steady / p50 = %.2f)", i + 1,
                        r.startToReadyMillis(),
                        Arrays.stream(r.firstMillis()).mapToObj(v -> String.format(Locale.ROOT, "%.1f", v)).toList(),
                        r.steadyP50Millis(), r.worstFirstOverSteady(), r.steadyWorstOfTenOverP50()));
                JsonObject row = new JsonObject();
                row.addProperty("start_to_ready_ms", round(r.startToReadyMillis()));
                JsonArray first = new JsonArray();
                Arrays.stream(r.firstMillis()).forEach(v -> first.add(round(v)));
                row.add("first_requests_ms", first);
                row.addProperty("steady_p50_ms", round(r.steadyP50Millis()));
                row.addProperty("worst_first_over_steady_p50", round(r.worstFirstOverSteady()));
                row.addProperty("steady_worst_of_10_over_p50", round(r.steadyWorstOfTenOverP50()));
                rows.add(row);
                sum += r.startToReadyMillis();
                worst = Math.max(worst, r.worstFirstOverSteady());
            } catch (IOException e) {
                table("  start " + (i + 1) + " failed: " + e.getMessage());
            }
        }
        if (!rows.isEmpty()) {
            json.add("cold_starts", rows);
            json.addProperty("start_to_ready_ms", round(sum / rows.size()));
            json.addProperty("first_requests_worst_over_steady_p50", round(worst));
        }
        table("");
    }

    /**
     * TensorFlow creates its process-wide thread pools with the first session, sized by that session's thread
     * counts, and its pool threads take the creating thread's name. So a session with the engine's counts is
     * opened first (before the preprocessing comparison's single-threaded JPEG decoder could), on a thread named
     * for {@link ThreadCpu} to tell the model's CPU from the server's.
     */
    private void createTensorFlowPools() throws InterruptedException {
        Thread creator = Thread.ofPlatform().name(ThreadCpu.TENSORFLOW).start(() -> {
            try (Graph graph = new Graph();
                 Session session = new Session(graph, settings.engine().sessionOptions().toConfigProto())) {
                // opening it is the point
            }
        });
        creator.join();
    }

    /**
     * The floor of the server's own work per request: decoding and resizing the benchmark's picture as the server
     * does (libjpeg-turbo, exact), on one thread, in CPU time of that thread (so other work on the machine does
     * not inflate it), after the JIT has compiled the path.
     */
    private void preprocessingFloor() throws ImageException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (ImagePreprocessor pipeline = new ImagePreprocessor(
                ImageLayout.of(new long[] {224, 224, 3}).orElseThrow(), Scaling.UNIT, Long.MAX_VALUE,
                JpegScaling.FAST, 1)) {
            float[] into = new float[224 * 224 * 3];
            for (int i = 0; i < 30; i++) {
                pipeline.toTensor(settings.jpeg(), into);
            }
            // 300 runs, or fewer when each is long (a 12 MP photo): about two seconds of CPU at most.
            int runs = 0;
            long cpu0 = threads.getCurrentThreadCpuTime();
            long spent;
            do {
                pipeline.toTensor(settings.jpeg(), into);
                runs++;
                spent = threads.getCurrentThreadCpuTime() - cpu0;
            } while (runs < 300 && (runs < 20 || spent < 2_000_000_000L));
            decodeFloorMillis = spent / 1e6 / runs;
            json.addProperty("decode_resize_floor_cpu_ms", round(decodeFloorMillis));
            table(String.format(Locale.ROOT, "Decode + resize of %s to 224×224 as the server does (default JPEG mode),"
                    + " one thread: %.3f ms of CPU each (the floor of the server's own work per request)",
                    settings.imageName(), decodeFloorMillis));
            table("");
        }
    }

    private void preprocessing() throws ImageException {
        if (settings.preprocessSamples().isEmpty()) {
            return;
        }
        table("Preprocessing (decode + resize to 224×224 + scale), one thread, ms per image; JPEG decoded by");
        table("libjpeg-turbo at full size (exact, PIL's) and at reduced scale (fast, the default)");
        table(String.format(Locale.ROOT, "  %-24s %8s %9s %9s %13s", "image", "bytes", "exact", "fast",
                "fast mean|Δ|"));
        JsonArray rows = new JsonArray();
        for (PreprocessSample sample : settings.preprocessSamples()) {
            PreprocessingComparison.Result r = PreprocessingComparison.measure(sample.name(), sample.jpeg(), 224,
                    224, settings.preprocessPerPath());
            table(String.format(Locale.ROOT, "  %-24s %8d %9.2f %9.2f %13.4f", r.image(), r.bytes(),
                    r.exactMillis(), r.fastMillis(), r.fastMeanAbsDifference()));
            JsonObject row = new JsonObject();
            row.addProperty("image", r.image());
            row.addProperty("exact_ms", round(r.exactMillis()));
            row.addProperty("fast_ms", round(r.fastMillis()));
            row.addProperty("fast_mean_abs_difference", r.fastMeanAbsDifference());
            rows.add(row);
        }
        json.add("preprocessing", rows);
    }

    /** The targets of issue 24 for photo → tensor on one core, in ms of CPU. */
    private static final double TARGET_12MP_FAST_MS = 12;
    private static final double TARGET_12MP_EXACT_MS = 40;
    private static final double TARGET_SMALL_PHOTO_MS = 1.2;

    private void photos() throws ImageException {
        if (!settings.photos().run()) {
            return;
        }
        List<PhotoSet.Photo> photos = new ArrayList<>();
        for (PreprocessSample sample : settings.preprocessSamples()) {
            photos.add(PhotoSet.fromBytes(sample.name(), sample.jpeg()));
        }
        photos.addAll(settings.photos().quick() ? PhotoSet.quick() : PhotoSet.standard());
        ImageLayout layout = ImageLayout.rgb(224, 224);
        table("Photo → 224×224 tensor as the server does it, CPU ms of one thread (median), by JPEG mode; mean |Δ| "
                + "of the tensor between the modes (0–1 scale)");
        table("(decode: libjpeg-turbo alone at the scale the mode decodes, the floor under it)");
        table(String.format(Locale.ROOT, "  %-28s %-27s %9s %8s %8s %8s %8s %8s %9s", "photo", "kind", "size",
                "bytes", "exact", "decode", "fast", "decode", "mean |Δ|"));
        JsonArray rows = new JsonArray();
        for (PhotoComparison.Timing t : PhotoComparison.time(photos, layout,
                settings.photos().cpuPerPath().toNanos())) {
            PhotoSet.Photo p = t.photo();
            double exact = t.millis().get(JpegScaling.EXACT);
            double fast = t.millis().get(JpegScaling.FAST);
            double exactDecode = t.decodeMillis().get(JpegScaling.EXACT);
            double fastDecode = t.decodeMillis().get(JpegScaling.FAST);
            table(String.format(Locale.ROOT, "  %-28s %-27s %9s %8d %8.2f %8.2f %8.2f %8.2f %9.5f", p.name(), p.kind(),
                    p.width() + "×" + p.height(), p.bytes().length, exact, exactDecode, fast, fastDecode,
                    t.meanAbsDifference()));
            JsonObject row = new JsonObject();
            row.addProperty("photo", p.name());
            row.addProperty("kind", p.kind());
            row.addProperty("width", p.width());
            row.addProperty("height", p.height());
            row.addProperty("bytes", p.bytes().length);
            row.addProperty("exact_cpu_ms", round(exact));
            row.addProperty("fast_cpu_ms", round(fast));
            row.addProperty("exact_decode_cpu_ms", round(exactDecode));
            row.addProperty("fast_decode_cpu_ms", round(fastDecode));
            row.addProperty("mean_abs_difference", t.meanAbsDifference());
            rows.add(row);
            if (p.name().equals("photo-12mp.jpg")) {
                target("12 MP baseline JPEG, default (fast)", fast, TARGET_12MP_FAST_MS, "target_12mp_fast");
                target("12 MP baseline JPEG, exact", exact, TARGET_12MP_EXACT_MS, "target_12mp_exact");
            }
            if (p.width() == 500 && p.height() == 375) {
                target("500×375 photo (" + p.name() + "), default", fast, TARGET_SMALL_PHOTO_MS, "target_500x375");
            }
        }
        json.add("photos", rows);
        JsonArray agreements = new JsonArray();
        List<byte[]> jpegs = new ArrayList<>(photos.stream().filter(p -> p.kind().contains("JPEG"))
                .map(PhotoSet.Photo::bytes).toList());
        if (!settings.photos().models().isEmpty() && !settings.photos().quick()) {
            PhotoSet.moreScenes().forEach(p -> jpegs.add(p.bytes()));
        }
        for (Path modelPath : settings.photos().models()) {
            try (Model model = ModelLoader.load(modelPath, settings.engine().sessionOptions())) {
                String name = modelPath.getFileName().toString().startsWith("model.") && modelPath.getParent() != null
                        ? modelPath.getParent().getFileName().toString() : modelPath.getFileName().toString();
                PhotoComparison.Agreement a = PhotoComparison.agreement(name, model, jpegs);
                table(String.format(Locale.ROOT, "  %s, fast against exact over %d JPEGs: top-1 the same for %d, "
                        + "top-5 overlap %.3f, mean |Δ| of the probabilities %.5f", a.model(), a.photos(),
                        a.sameTop1(), a.meanTop5Overlap(), a.meanAbsProbability()));
                JsonObject row = new JsonObject();
                row.addProperty("model", a.model());
                row.addProperty("photos", a.photos());
                row.addProperty("same_top1", a.sameTop1());
                row.addProperty("top5_overlap", round(a.meanTop5Overlap()));
                row.addProperty("mean_abs_probability_difference", a.meanAbsProbability());
                agreements.add(row);
            }
        }
        json.add("photo_mode_agreement", agreements);
        table("");
    }

    private void target(String what, double millis, double target, String key) {
        boolean met = millis <= target;
        table(String.format(Locale.ROOT, "    target %s ≤ %.1f ms: %.2f ms, %s", what, target, millis,
                met ? "met" : "missed"));
        json.addProperty(key + "_ms", round(millis));
        json.addProperty(key + "_met", met);
    }

    private RawThroughput.Point[] raw() throws ImageException, InterruptedException {
        try (Model model = ModelLoader.load(settings.model(), settings.engine().sessionOptions())) {
            ModelInfo info = model.info();
            json.addProperty("model", info.name());
            json.addProperty("model_sha256", info.sha256());
            float[] item = modelInput(info);
            List<RawThroughput.Point> points = RawThroughput.measure(model, item, settings.batchSizes(),
                    settings.rawPerBatchSize(), settings.engine().workers());
            table("");
            table("(1) Raw in-process model throughput: " + info.name() + ", " + settings.engine().workers()
                    + " feeding thread(s)");
            table(String.format(Locale.ROOT, "  %-10s %14s %14s", "batch", "items/s", "ms/batch"));
            JsonArray rows = new JsonArray();
            for (RawThroughput.Point p : points) {
                table(String.format(Locale.ROOT, "  %-10d %14.1f %14.2f", p.batchSize(), p.itemsPerSecond(),
                        p.millisPerBatch()));
                JsonObject row = new JsonObject();
                row.addProperty("batch_size", p.batchSize());
                row.addProperty("items_per_s", round(p.itemsPerSecond()));
                row.addProperty("ms_per_batch", round(p.millisPerBatch()));
                row.addProperty("cpu_ms_per_item", round(p.cpuMillisPerItem()));
                rows.add(row);
            }
            // The latency a lone request pays in the model: one feeder, batch 1, nothing running beside it.
            RawThroughput.Point batch1 = settings.engine().workers() == 1
                    ? points.stream().filter(p -> p.batchSize() == 1).findFirst().orElse(points.get(0))
                    : RawThroughput.measure(model, item, List.of(1), settings.rawPerBatchSize(), 1).get(0);
            RawThroughput.Point best = RawThroughput.best(points);
            table(String.format(Locale.ROOT, "  lone batch 1: %.2f ms (%.1f items/s); best: batch %d, %.1f items/s",
                    batch1.millisPerBatch(), batch1.itemsPerSecond(), best.batchSize(), best.itemsPerSecond()));
            JsonObject raw = new JsonObject();
            raw.add("by_batch_size", rows);
            raw.addProperty("batch1_items_per_s", round(batch1.itemsPerSecond()));
            raw.addProperty("batch1_ms", round(batch1.millisPerBatch()));
            raw.addProperty("best_batch_size", best.batchSize());
            raw.addProperty("best_items_per_s", round(best.itemsPerSecond()));
            json.add("raw", raw);
            return new RawThroughput.Point[] {batch1, best};
        }
    }

    /**
     * The raw rate of this VM drifts by tens of percent within minutes, so the best batch size is measured again
     * right after the HTTP runs (the server idle), and each HTTP rate is also given against the mean of the two.
     */
    private void rawAgain(RawThroughput.Point before) throws InterruptedException, ImageException {
        RawThroughput.Point after;
        try (Model model = ModelLoader.load(settings.model(), settings.engine().sessionOptions())) {
            after = RawThroughput.measure(model, modelInput(model.info()), List.of(before.batchSize()),
                    settings.rawPerBatchSize(), settings.engine().workers()).get(0);
        }
        double mean = (before.itemsPerSecond() + after.itemsPerSecond()) / 2;
        StringBuilder ratios = new StringBuilder();
        for (var row : json.getAsJsonArray("http")) {
            JsonObject r = row.getAsJsonObject();
            double ratio = r.get("requests_per_s").getAsDouble() / mean;
            r.addProperty("ratio_to_raw_mean", round(ratio));
            ratios.append(String.format(Locale.ROOT, "  c=%d %.2f", r.get("concurrency").getAsInt(), ratio));
        }
        table(String.format(Locale.ROOT, "  raw batch %d again after the HTTP runs: %.1f items/s (before: %.1f); "
                + "ratios to their mean:%s", before.batchSize(), after.itemsPerSecond(), before.itemsPerSecond(),
                ratios));
        JsonObject raw = json.getAsJsonObject("raw");
        raw.addProperty("best_items_per_s_after_http", round(after.itemsPerSecond()));
    }

    private float[] modelInput(ModelInfo info) throws ImageException {
        Optional<ImageLayout> layout = ImageLayout.of(info.inputShape());
        if (layout.isPresent()) {
            try (ImagePreprocessor preprocessor = new ImagePreprocessor(layout.get(), Scaling.UNIT, Long.MAX_VALUE,
                    JpegScaling.EXACT, 1)) {
                return preprocessor.toTensor(settings.jpeg());
            }
        }
        return new float[info.inputItemSize()];
    }

    /**
     * Once the cores are saturated, throughput is cores ÷ CPU per item: the ratio to raw can reach at most the
     * raw run's CPU per item over the HTTP run's. The in-process client's share is reported apart: on a real
     * deployment the clients run elsewhere, and what remains (decoding, HTTP, batching) is the server's own cost.
     */
    private void cpuCeiling(double rawCpuPerItem, double httpCpuPerRequest, double clientCpuPerRequest) {
        if (Double.isNaN(rawCpuPerItem) || Double.isNaN(httpCpuPerRequest)) {
            return;
        }
        double ceiling = rawCpuPerItem / httpCpuPerRequest;
        double serverCpu = httpCpuPerRequest - (Double.isNaN(clientCpuPerRequest) ? 0 : clientCpuPerRequest);
        double serverCeiling = rawCpuPerItem / serverCpu;
        table(String.format(Locale.ROOT, "  CPU per item: raw best %.2f ms; HTTP at its best %.2f ms, of which the "
                + "in-process client %.2f ms and the server %.2f ms", rawCpuPerItem, httpCpuPerRequest,
                clientCpuPerRequest, serverCpu));
        table(String.format(Locale.ROOT, "  → ratio ceiling on these saturated cores ≈ %.2f "
                + "(%.2f without the client's share)", ceiling, serverCeiling));
        json.addProperty("raw_best_cpu_ms_per_item", round(rawCpuPerItem));
        json.addProperty("http_best_cpu_ms_per_request", round(httpCpuPerRequest));
        json.addProperty("http_best_client_cpu_ms_per_request", round(clientCpuPerRequest));
        json.addProperty("cpu_ratio_ceiling", round(ceiling));
        json.addProperty("cpu_ratio_ceiling_without_client", round(serverCeiling));
    }

    private double http(HttpLoad load, RawThroughput.Point[] raw) throws InterruptedException {
        table("");
        table("(2) End-to-end HTTP: POST /api/v1/predict with the JPEG, closed loop; (3) ratio to raw best batch");
        table(String.format(Locale.ROOT, "  %-6s %9s %10s %9s %9s %9s %8s %7s", "conc.", "requests", "req/s",
                "p50 ms", "p95 ms", "p99 ms", "ratio", "non-200"));
        JsonArray rows = new JsonArray();
        double best = 0;
        double cpuAtBest = Double.NaN;
        double clientCpuAtBest = Double.NaN;
        for (int c : settings.concurrencies()) {
            long cpuStart = ProcessCpu.nanos();
            Map<ThreadCpu.Group, Double> threadsBefore = ThreadCpu.snapshot();
            HttpLoad.Result r = load.closedLoop(c, settings.httpPerConcurrency());
            Map<ThreadCpu.Group, Double> byThread = ThreadCpu.perItem(threadsBefore, ThreadCpu.snapshot(),
                    r.ok().count());
            double cpuPerRequest = ProcessCpu.millisPerItem(cpuStart, ProcessCpu.nanos(), r.ok().count());
            double clientPerRequest = ProcessCpu.millisPerItem(0, r.clientCpuNanos(), r.ok().count());
            double ratio = r.okPerSecond() / raw[1].itemsPerSecond();
            long non200 = r.statuses().entrySet().stream().filter(e -> e.getKey() != 200)
                    .mapToLong(Map.Entry::getValue).sum() + r.failures();
            table(String.format(Locale.ROOT, "  %-6d %9d %10.1f %9.2f %9.2f %9.2f %8.2f %7d", c, r.ok().count(),
                    r.okPerSecond(), r.ok().percentileMillis(50), r.ok().percentileMillis(95),
                    r.ok().percentileMillis(99), ratio, non200));
            JsonObject row = new JsonObject();
            row.addProperty("concurrency", c);
            row.addProperty("requests", r.ok().count());
            row.addProperty("requests_per_s", round(r.okPerSecond()));
            row.addProperty("p50_ms", round(r.ok().percentileMillis(50)));
            row.addProperty("p95_ms", round(r.ok().percentileMillis(95)));
            row.addProperty("p99_ms", round(r.ok().percentileMillis(99)));
            row.addProperty("ratio_to_raw_best", round(ratio));
            row.addProperty("non_200", non200);
            row.addProperty("cpu_ms_per_request", round(cpuPerRequest));
            row.addProperty("client_cpu_ms_per_request", round(clientPerRequest));
            double outside = ThreadCpu.outsideModel(byThread);
            if (!byThread.isEmpty()) {
                JsonObject stages = new JsonObject();
                byThread.forEach((group, ms) -> stages.addProperty(group.key, round(ms)));
                row.add("cpu_ms_per_request_by_thread", stages);
                row.addProperty("server_cpu_ms_per_request_outside_model", round(outside));
                table(String.format(Locale.ROOT, "         CPU ms per request by thread: %s; server outside the "
                        + "model %.3f", describe(byThread), outside));
                double httpOnly = outside - byThread.getOrDefault(ThreadCpu.Group.DECODE_RESIZE, 0.0);
                row.addProperty("server_cpu_ms_per_request_outside_decode_and_model", round(httpOnly));
                table(String.format(Locale.ROOT, "         HTTP, batching and the rest, outside decode and model: "
                        + "%.3f ms per request (target ≤ %.2f: %s)", httpOnly, TARGET_HTTP_CPU_MS,
                        httpOnly <= TARGET_HTTP_CPU_MS ? "met" : "missed"));
                if (c == 8) {
                    json.addProperty("c8_server_cpu_ms_outside_decode_and_model", round(httpOnly));
                }
            }
            if (c == 8) {
                throughputLimit(r.okPerSecond(), raw[1], cpuPerRequest - clientPerRequest,
                        byThread.getOrDefault(ThreadCpu.Group.JIT, 0.0));
            }
            rows.add(row);
            if (r.okPerSecond() > best) {
                if (!byThread.isEmpty()) {
                    json.addProperty("server_cpu_ms_per_request_outside_model", round(outside));
                    json.addProperty("server_cpu_outside_model_at_concurrency", c);
                }
                best = r.okPerSecond();
                cpuAtBest = cpuPerRequest;
                clientCpuAtBest = clientPerRequest;
            }
            if (c == 1) {
                double p50 = r.ok().percentileMillis(50);
                double overhead = p50 - raw[0].millisPerBatch();
                json.addProperty("c1_p50_ms", round(p50));
                json.addProperty("c1_p99_ms", round(r.ok().percentileMillis(99)));
                json.addProperty("c1_overhead_ms", round(overhead));
                json.addProperty("c1_overhead_fraction_of_p50", round(overhead / p50));
            }
            if (c == 8) {
                json.addProperty("c8_p99_ms", round(r.ok().percentileMillis(99)));
            }
        }
        json.add("http", rows);
        if (json.has("c1_overhead_ms")) {
            table(String.format(Locale.ROOT, "  c=1 overhead (HTTP + preprocessing) = p50 − raw batch-1 time = "
                    + "%.2f ms = %.0f%% of p50", json.get("c1_overhead_ms").getAsDouble(),
                    100 * json.get("c1_overhead_fraction_of_p50").getAsDouble()));
        }
        cpuCeiling(raw[1].cpuMillisPerItem(), cpuAtBest, clientCpuAtBest);
        return best;
    }

    /** Issue 24's targets for the server's own CPU per request and for c=8 throughput against the cores' limit. */
    private static final double TARGET_HTTP_CPU_MS = 0.15;
    private static final double TARGET_LIMIT_RATIO = 0.95;

    /**
     * The most requests per second these cores could serve: every core busy with nothing but the model's CPU per
     * item (the raw run at its best batch) and the decode + resize of the image sent; c=8's rate against it. On a
     * machine shared with other work the rate measures how much of the cores this process got, so the same ratio is
     * also given in CPU time: the limit's CPU per request over what the server spent per request at c=8 (the
     * in-process client's share taken out), which is the rate c=8 would reach against the limit with the cores to
     * itself; and again without the JIT's share, which a run of seconds still pays and a long-running server does not.
     */
    private void throughputLimit(double c8PerSecond, RawThroughput.Point rawBest, double serverCpuPerRequest,
                                 double jitPerRequest) {
        double perRequest = rawBest.cpuMillisPerItem() + decodeFloorMillis;
        if (!Double.isFinite(perRequest) || perRequest <= 0) {
            return;
        }
        int cores = CpuLimit.detect();
        double limit = cores * 1000.0 / perRequest;
        double ratio = c8PerSecond / limit;
        table(String.format(Locale.ROOT, "         limit of %d cores: %.1f req/s (model %.2f + decode %.2f ms of CPU per "
                        + "request); c=8 reached %.2f of it (target ≥ %.2f: %s)", cores, limit,
                rawBest.cpuMillisPerItem(), decodeFloorMillis, ratio, TARGET_LIMIT_RATIO,
                ratio >= TARGET_LIMIT_RATIO ? "met" : "missed"));
        json.addProperty("c8_limit_requests_per_s", round(limit));
        json.addProperty("c8_ratio_to_limit", round(ratio));
        if (Double.isFinite(serverCpuPerRequest) && serverCpuPerRequest > 0) {
            double cpuRatio = perRequest / serverCpuPerRequest;
            double withoutJit = perRequest / (serverCpuPerRequest - jitPerRequest);
            table(String.format(Locale.ROOT, "         in CPU time: the server spent %.2f ms per request at c=8, so "
                            + "with the cores to itself c=8 reaches %.2f of the limit (%.2f without the JIT's %.2f ms;"
                            + " target ≥ %.2f: %s)", serverCpuPerRequest, cpuRatio, withoutJit, jitPerRequest,
                    TARGET_LIMIT_RATIO, withoutJit >= TARGET_LIMIT_RATIO ? "met" : "missed"));
            json.addProperty("c8_server_cpu_ms_per_request", round(serverCpuPerRequest));
            json.addProperty("c8_cpu_ratio_to_limit", round(cpuRatio));
            json.addProperty("c8_cpu_ratio_to_limit_without_jit", round(withoutJit));
        }
    }

    /** The same image through /api/v1/predict and the Open Inference Protocol's infer route, in turns. */
    private void compareRoutes(URI base, String modelName) throws IOException, InterruptedException {
        int rounds = settings.routeComparisonRounds();
        if (rounds <= 0) {
            return;
        }
        table("");
        table(String.format(Locale.ROOT, "Routes compared: %s (%d bytes), %d rounds of one request per route in turn "
                + "(after %d not counted), concurrency 1, one keep-alive connection per route", settings.imageName(),
                settings.jpeg().length, rounds, RouteComparison.WARM_UP_ROUNDS));
        List<RouteComparison.Result> results = RouteComparison.measure(base, modelName, settings.jpeg(), rounds);
        table(String.format(Locale.ROOT, "  %-56s %8s %8s %8s", "route", "p50 ms", "p90 ms", "mean ms"));
        JsonObject routes = new JsonObject();
        for (RouteComparison.Result r : results) {
            Latencies l = r.latencies();
            table(String.format(Locale.ROOT, "  %-56s %8.2f %8.2f %8.2f", r.label(), l.percentileMillis(50),
                    l.percentileMillis(90), l.meanMillis()));
            JsonObject route = new JsonObject();
            route.addProperty("route", r.label());
            route.addProperty("p50_ms", round(l.percentileMillis(50)));
            route.addProperty("p90_ms", round(l.percentileMillis(90)));
            route.addProperty("mean_ms", round(l.meanMillis()));
            route.addProperty("rounds", l.count());
            routes.add(r.key(), route);
        }
        json.add("route_comparison", routes);
    }

    /** Resident memory read ten times over the run: a plateau, not only two end points, shows there is no leak. */
    private void memory(HttpLoad load) throws InterruptedException {
        if (settings.rssRequests() <= 0) {
            return;
        }
        System.gc();
        long before = Rss.currentKilobytes();
        long start = System.nanoTime();
        long steps = Math.min(10, settings.rssRequests());
        long served = 0;
        long serverErrors = 0;
        JsonArray samples = new JsonArray();
        StringBuilder trace = new StringBuilder();
        for (long step = 1; step <= steps; step++) {
            long upTo = settings.rssRequests() * step / steps;
            HttpLoad.Result r = load.closedLoop(8, upTo - served);
            served = upTo;
            serverErrors += r.serverErrors();
            long now = Rss.currentKilobytes();
            samples.add(round(now / 1024.0));
            trace.append(String.format(Locale.ROOT, " %.0f", now / 1024.0));
        }
        long after = Rss.currentKilobytes();
        table("");
        table(String.format(Locale.ROOT, "Memory: VmRSS %.1f MB before, %.1f MB after %d requests at c=8 (%.0f s); "
                        + "server and client share this process", before / 1024.0, after / 1024.0,
                served, (System.nanoTime() - start) / 1e9));
        table("  VmRSS MB after each tenth:" + trace);
        JsonObject rss = new JsonObject();
        rss.addProperty("requests", served);
        rss.addProperty("before_mb", round(before / 1024.0));
        rss.addProperty("after_mb", round(after / 1024.0));
        rss.add("by_tenth_mb", samples);
        rss.addProperty("server_errors", serverErrors);
        json.add("rss", rss);
    }

    private void overload(HttpLoad load, double sustainable) throws InterruptedException {
        if (settings.overloadFactor() <= 0 || sustainable <= 0) {
            return;
        }
        double rate = settings.overloadFactor() * sustainable;
        HttpLoad.Result r = load.openLoop(rate, settings.overloadDuration());
        double c1p99 = json.has("c1_p99_ms") ? json.get("c1_p99_ms").getAsDouble() : Double.NaN;
        double admittedP99 = r.ok().percentileMillis(99);
        table("");
        table(String.format(Locale.ROOT, "Overload: open loop at %.0f req/s (%.1f× the %s %.1f req/s) for %s",
                rate, settings.overloadFactor(), settings.sustainableRate() > 0 ? "given" : "best measured above",
                sustainable, settings.overloadDuration()));
        table(String.format(Locale.ROOT, "  admitted: %d, %.1f req/s, p50 %.2f ms, p99 %.2f ms (%.2f× the c=1 p99)",
                r.ok().count(), r.okPerSecond(), r.ok().percentileMillis(50), admittedP99, admittedP99 / c1p99));
        table(String.format(Locale.ROOT, "  rejected (503): %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                r.rejected().count(), r.rejected().percentileMillis(50), r.rejected().percentileMillis(99),
                r.rejected().maxMillis()));
        table(String.format(Locale.ROOT, "  statuses %s, no answer %d, 5xx other than 503: %d", r.statuses(),
                r.failures(), r.serverErrors()));
        JsonObject o = new JsonObject();
        o.addProperty("offered_per_s", round(rate));
        o.addProperty("admitted", r.ok().count());
        o.addProperty("admitted_per_s", round(r.okPerSecond()));
        o.addProperty("admitted_p50_ms", round(r.ok().percentileMillis(50)));
        o.addProperty("admitted_p99_ms", round(admittedP99));
        o.addProperty("admitted_p99_over_c1_p99", round(admittedP99 / c1p99));
        if (json.has("c8_p99_ms")) {
            o.addProperty("admitted_p99_over_c8_p99", round(admittedP99 / json.get("c8_p99_ms").getAsDouble()));
        }
        o.addProperty("rejected", r.rejected().count());
        o.addProperty("rejected_p50_ms", round(r.rejected().percentileMillis(50)));
        o.addProperty("rejected_p99_ms", round(r.rejected().percentileMillis(99)));
        o.addProperty("rejected_max_ms", round(r.rejected().maxMillis()));
        o.addProperty("server_errors_other_than_503", r.serverErrors());
        json.add("overload", o);
    }

    /** What the server's warm-up calibration chose (GET /api/v1/model), into the JSON and the table. */
    private void calibration(URI base) throws InterruptedException {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/api/v1/model"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            JsonObject model = JsonParser.parseString(body).getAsJsonObject();
            if (model.has("calibration")) {
                JsonObject c = model.getAsJsonObject("calibration");
                json.add("calibration", c);
                json.addProperty("calibrated_max_batch_size", c.get("max_batch_size").getAsInt());
                table("");
                table("Server's warm-up calibration: max batch size " + c.get("max_batch_size") + " (fastest "
                        + c.get("fastest_batch_size") + "), queue capacity " + c.get("queue_capacity") + "; "
                        + c.get("measured") + "; " + c.get("memory").getAsString());
            }
        } catch (IOException | RuntimeException e) {
            table("  (the server's calibration could not be read: " + e.getMessage() + ")");
        }
    }

    private static void awaitReady(URI base) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long giveUp = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < giveUp) {
            try {
                int status = client.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 404) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server did not become ready within 5 minutes");
    }

    private static String describe(Map<ThreadCpu.Group, Double> byThread) {
        StringBuilder text = new StringBuilder();
        byThread.forEach((group, ms) -> text.append(text.isEmpty() ? "" : ", ").append(group.key).append(' ')
                .append(String.format(Locale.ROOT, "%.3f", ms)));
        return text.toString();
    }

    private void table(String line) {
        out.println(line);
        out.flush();
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : -1;
    }
}

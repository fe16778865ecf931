package dev.mlapp.cli;

import dev.mlapp.bench.Benchmark;
import dev.mlapp.http.MlServer;
import dev.mlapp.image.ImageException;
import dev.mlapp.image.SampleImage;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.ServeSettings;
import dev.mlapp.serve.Serving;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** {@code bench}: raw vs end-to-end throughput, latency, overload and memory; see {@link Benchmark}. */
final class BenchCommand {

    static final String HELP = """
            Usage: ./ml-app bench [OPTIONS]

            Measures (1) raw in-process model throughput per batch size, (2) HTTP throughput and p50/p95/p99 latency
            per concurrency against a server started in this process, (3) their ratio, memory over many requests and
            an overload run. Prints a table, then one JSON object as the last line.
              --model PATH                model to measure [MODEL_PATH] (default: the embedded demo model)
              --image FILE                JPEG to upload (default: the bundled sample that GET /test uses)
              --preprocess-images DIR     JPEGs for the Java-vs-TensorFlow preprocessing comparison
                                          (default ../shared/images if present)
              --batch-sizes LIST          raw batch sizes (default 1,2,4,8,16,32)
              --concurrency LIST          HTTP concurrencies (default 1,8,32)
              --duration DURATION         per batch size and per concurrency (default 10s)
              --overload-factor X         overload rate as a multiple of the best HTTP throughput (default 4)
              --sustainable-rate R        req/s the overload factor multiplies (default: the best HTTP
                                          throughput measured in (2)); give the rate of a run without a
                                          queue-delay budget, whose refusals lower (2)
              --overload-duration DUR     (default 15s)
              --rss-requests N            requests between the two RSS readings (default 10000)
              --cold-starts N             new JVMs to start (serve, same JVM options) and time to /readyz,
                                          then their first 10 requests (default 3; 0 with --quick)
              --compare-routes ROUNDS     also compare the same image through POST /api/v1/predict and
                                          POST /v2/models/{name}/infer (BYTES binary, BYTES base64 JSON,
                                          FP32 tensor of the model's input shape): ROUNDS rounds of one
                                          request per route in turn, one connection per route, concurrency 1;
                                          p50/p90/mean per route (default 0: off)
              --photos                    also time photo → tensor in both JPEG modes on generated phone photos
                                          (2–24 MP JPEG, baseline and progressive; 1–3 MP PNG screenshots)
                                          and the preprocessing images, against issue 24's targets, and
                                          compare the modes' predictions (top-1, top-5) on --photo-models
              --photos-only               the photo phase alone (no server, no raw or HTTP runs)
              --photo-models LIST         comma-separated model files for the modes' agreement (default: the
                                          --model given, else none)
              --quick                     a short run for tests: 0.5 s per step, 200 RSS requests
            Engine options (as for serve):
            """ + EngineFlags.HELP;

    private static final List<String> FLAGS = Stream.concat(Stream.of("model", "image", "preprocess-images",
            "batch-sizes", "concurrency", "duration", "overload-factor", "sustainable-rate", "overload-duration",
            "rss-requests", "cold-starts", "compare-routes", "photos", "photos-only", "photo-models", "quick",
            "help"), EngineFlags.FLAGS.stream()).toList();

    private BenchCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        // Empty after --help, which forCommand has printed.
        return Options.forCommand(args, env, List.of("quick", "photos", "photos-only"), FLAGS, HELP)
                .map(options -> run(options, env)).orElse(ExitStatus.OK);
    }

    private static ExitStatus run(Options options, Map<String, String> env) {
        boolean quick = options.flag("quick", null);
        Duration step = options.duration("duration", null, quick ? Duration.ofMillis(500) : Duration.ofSeconds(10));
        Path model = options.get("model", "MODEL_PATH").map(Path::of).orElse(null);
        EngineOptions engine = EngineFlags.parse(options);
        try {
            byte[] jpeg;
            String imageName;
            if (options.get("image", null).isPresent()) {
                Path image = Path.of(options.get("image", null).get());
                jpeg = Files.readAllBytes(image);
                imageName = image.getFileName().toString();
            } else {
                // The image GET /test serves, so the default bench measures what the course's siege target does.
                jpeg = SampleImage.jpeg();
                imageName = SampleImage.RESOURCE;
            }
            Benchmark.Settings settings = new Benchmark.Settings(model, imageName, jpeg, engine,
                    intList(options.get("batch-sizes", null, "1,2,4,8,16,32")),
                    intList(options.get("concurrency", null, "1,8,32")),
                    step, step,
                    Double.parseDouble(options.get("overload-factor", null, "4")),
                    Double.parseDouble(options.get("sustainable-rate", null, "0")),
                    options.duration("overload-duration", null, quick ? Duration.ofSeconds(1) : Duration.ofSeconds(15)),
                    options.longValue("rss-requests", null, quick ? 200 : 10_000),
                    preprocessSamples(options.get("preprocess-images", null).map(Path::of)
                            .orElse(Path.of("../shared/images"))),
                    quick ? Duration.ofMillis(300) : Duration.ofSeconds(3),
                    options.intValue("cold-starts", null, quick ? 0 : 3), serveArgs(options),
                    options.intValue("compare-routes", null, 0), photos(options, model, quick));
            Duration calibration = EngineFlags.calibrationBudget(options);
            Benchmark.run(settings, (m, e) -> startServer(m, e, calibration), System.out);
            return ExitStatus.OK;
        } catch (IOException | ImageException | UncheckedIOException e) {
            System.err.println("ml-app bench: " + e.getMessage());
            return ExitStatus.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.FAILURE;
        } catch (NumberFormatException e) {
            throw new UsageException("bench: lists are comma-separated whole numbers, the factor a number: "
                    + e.getMessage());
        }
    }

    private static Benchmark.Photos photos(Options options, Path model, boolean quick) {
        boolean only = options.flag("photos-only", null);
        if (!only && !options.flag("photos", null)) {
            return Benchmark.Photos.off();
        }
        if (ModuleLayer.boot().findModule("java.desktop").isEmpty()) {
            // PhotoSet draws and encodes its phone photos with Java2D and ImageIO; the server decodes without them.
            throw new UsageException("bench: --photos draws its photos with the JDK's java.desktop module, which"
                    + " this Java runtime leaves out (the container image's is cut to what the server needs): run"
                    + " it with ./ml-app from a source checkout");
        }
        List<Path> models = options.get("photo-models", null)
                .map(list -> Arrays.stream(list.split(",")).map(String::trim).map(Path::of).toList())
                .orElse(model != null ? List.of(model) : List.of());
        return new Benchmark.Photos(true, only, models, quick ? Duration.ofMillis(50) : Duration.ofSeconds(1), quick);
    }

    private static Benchmark.Server startServer(Path model, EngineOptions engine, Duration calibration) {
        MlServer server = Serving.start(ServeConfig.loopback().with(ServeSettings.MODEL, model)
                .with(ServeSettings.POD_NAME, "bench").withEngine(engine)
                .with(ServeSettings.CALIBRATION_BUDGET, calibration));
        server.awaitStartup(Duration.ofMinutes(10));
        return new Benchmark.Server() {
            @Override
            public int port() {
                return server.port();
            }

            @Override
            public String modelName() {
                return server.modelName();
            }

            @Override
            public void close() {
                server.drainAndStop();
            }
        };
    }

    /** The engine options given to bench, passed on to the cold-started servers so they run the same engine. */
    private static List<String> serveArgs(Options options) {
        List<String> passed = new ArrayList<>();
        for (String flag : EngineFlags.FLAGS) {
            options.get(flag, null).ifPresent(value -> passed.addAll(List.of("--" + flag, value)));
        }
        return passed;
    }

    private static List<Integer> intList(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    private static List<Benchmark.PreprocessSample> preprocessSamples(Path dir) throws IOException {
        List<Benchmark.PreprocessSample> samples = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return samples;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString().toLowerCase();
                if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
                    samples.add(new Benchmark.PreprocessSample(f.getFileName().toString(), Files.readAllBytes(f)));
                }
            }
        }
        return samples;
    }
}

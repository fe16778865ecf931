package dev.mlapp.cli;

import dev.mlapp.bench.Sizing;
import dev.mlapp.http.MlServer;
import dev.mlapp.image.SampleImage;
import dev.mlapp.inference.EngineOptions;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.ServeSettings;
import dev.mlapp.serve.Serving;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** {@code size}: recommended requests and limits for a replica, from running the model under load here. */
final class SizeCommand {

    static final String HELP = """
            Usage: ./ml-app size [OPTIONS]

            Loads the model into a server in this process, uploads an image from closed-loop clients, and prints
            the requests and limits one replica needs, as a kustomize patch and as deploy.yml's mlapp_deploy_resources.
            Memory: limit = the peak resident set (model load included) plus the headroom; request = the resident
            set under the load. CPU: request = what a replica uses at --scale-at percent of its saturated
            throughput, divided by the autoscaler's target; limit = the cores it used at saturation, at least the
            processors this JVM sees. Run it with the JVM options and engine settings of the pods (in the image, or
            the same INTRA_OP_THREADS/workers).
              --model PATH           the model [MODEL_PATH] (default: the embedded demo model)
              --weights FILE         model.save_weights() .h5 when --model is the model.to_json() [WEIGHTS_PATH]
              --image FILE           JPEG to upload (default: the bundled sample GET /test uses)
              --concurrency N        clients (default 8)
              --warm-up DURATION     load before measuring (default 10s)
              --duration DURATION    measured load (default 30s)
              --headroom PERCENT     memory limit over the peak (default 50)
              --hpa-target PERCENT   the autoscaler's CPU target, of the request (default 40)
              --scale-at PERCENT     share of a replica's saturated throughput at which to add replicas (default 50)
              --fit-cores CORES      cap the CPU request so that --max-replicas + 1 fit 90% of these cores
                                     (default 0: no cap; e.g. 2 for one 2-core node)
              --max-replicas N       with --fit-cores (default 5)
            Engine options (as for serve):
            """ + EngineFlags.HELP;

    private static final List<String> FLAGS = Stream.concat(Stream.of("model", "weights", "image", "concurrency", "warm-up",
            "duration", "headroom", "hpa-target", "scale-at", "fit-cores", "max-replicas", "help"),
            EngineFlags.FLAGS.stream()).toList();

    private SizeCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        return Options.forCommand(args, env, List.of(), FLAGS, HELP).map(SizeCommand::run).orElse(ExitStatus.OK);
    }

    private static ExitStatus run(Options options) {
        Path model = options.get("model", "MODEL_PATH").map(Path::of).orElse(null);
        Path weights = options.get("weights", "WEIGHTS_PATH").map(Path::of).orElse(null);
        EngineOptions engine = EngineFlags.parse(options);
        Sizing.Settings settings;
        try {
            byte[] jpeg = options.get("image", null).isPresent()
                    ? Files.readAllBytes(Path.of(options.get("image", null).get())) : SampleImage.jpeg();
            settings = new Sizing.Settings(jpeg, options.intValue("concurrency", null, 8),
                    options.duration("warm-up", null, Duration.ofSeconds(10)),
                    options.duration("duration", null, Duration.ofSeconds(30)),
                    options.intValue("headroom", null, 50), options.intValue("hpa-target", null, 40),
                    options.intValue("scale-at", null, 50),
                    Double.parseDouble(options.get("fit-cores", null, "0")), options.intValue("max-replicas", null, 5));
        } catch (IOException e) {
            System.err.println("ml-app size: cannot read the image: " + e.getMessage());
            return ExitStatus.FAILURE;
        } catch (NumberFormatException e) {
            throw new UsageException("size: --fit-cores is a number of cores, e.g. 2: " + e.getMessage());
        }
        MlServer server = Serving.start(ServeConfig.loopback().with(ServeSettings.MODEL, model)
                .with(ServeSettings.WEIGHTS, weights)
                .with(ServeSettings.POD_NAME, "size").withEngine(engine)
                .with(ServeSettings.CALIBRATION_BUDGET, EngineFlags.calibrationBudget(options)));
        try {
            server.awaitStartup(Duration.ofMinutes(10));
            Sizing.Measurement m = Sizing.measure(settings, server.port());
            Sizing.Recommendation r = Sizing.recommend(m, settings);
            System.out.printf(Locale.ROOT, "measured: %d clients for %.0f s: %.1f uploads/s, p95 %.0f ms, %d failed of %d; "
                            + "server %.2f cores; resident set %d MiB under load, peak %d MiB (model load included)%n",
                    settings.concurrency(), settings.duration().toMillis() / 1000.0, m.okPerSecond(), m.p95Millis(),
                    m.failed(), m.failed() + m.answered(), m.serverCores(), m.busyResidentBytes() >> 20,
                    m.peakResidentBytes() >> 20);
            System.out.printf(Locale.ROOT, "recommended: requests cpu %dm, memory %dMi; limits cpu %dm, memory %dMi "
                            + "(memory limit %d%% over the peak; CPU request: %s)%n", r.cpuRequestMillis(),
                    r.memoryRequestBytes() >> 20, r.cpuLimitMillis(), r.memoryLimitBytes() >> 20,
                    settings.headroomPercent(), r.cpuReason());
            System.out.println("# kustomization.yaml of an overlay over k8s/ (or k8s-overlays/...):");
            System.out.print(r.kustomizePatch());
            System.out.println("# deploy.yml: -e '" + r.ansibleExtraVars() + "'");
            return m.answered() > 0 ? ExitStatus.OK : ExitStatus.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.FAILURE;
        } finally {
            server.drainAndStop();
        }
    }
}

package dev.mlapp.cli;

import dev.mlapp.loadtest.CsvLog;
import dev.mlapp.loadtest.HtmlReport;
import dev.mlapp.loadtest.JsonReport;
import dev.mlapp.loadtest.LoadGenerator;
import dev.mlapp.loadtest.LoadPlan;
import dev.mlapp.loadtest.LoadRun;
import dev.mlapp.loadtest.LoadSummary;
import dev.mlapp.loadtest.RequestTemplate;
import dev.mlapp.loadtest.TextReport;
import dev.mlapp.loadtest.Uploads;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code loadtest}: sends load to a URL and reports throughput, latency and how requests spread over pods. */
final class LoadTestCommand {

    static final String DEFAULT_PATH = "/test";
    static final String DEFAULT_IMAGE_PATH = "/predict";
    static final int DEFAULT_CONCURRENCY = 10;
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    static final String HELP = """
            Usage: ./ml-app loadtest --url http://HOST:PORT [OPTIONS]

              --url URL              the service, e.g. http://NODE_IP:32000 (a path in the URL is used as --path)
              --path PATH            GET this path (default /test)
              --image FILE           POST FILE as multipart field 'file' instead (to --path, default /predict;
                                     use --path /api/v1/predict for JSON replies)
              --concurrency N        workers in closed loop; most requests in flight in open loop (default 10)
              --duration DURATION    how long to send, e.g. 30s (default 30s unless --requests is given)
              --requests N           stop after N requests instead
              --rate R               open loop: R requests per second on a fixed schedule, latency counted from
                                     each request's scheduled time (default: closed loop)
              --keep-alive           reuse each worker's TCP connection until the server closes it
              --new-connection       open a new TCP connection for every request (default)
              --timeout DURATION     longest a request may take, connect included (default 10s)
              --expect-pods N        pods that should answer; missing ones count as 0 in the evenness test
              --json                 print the report as JSON instead of a table
              --csv FILE             write one line per request to FILE
              --html FILE            write a self-contained HTML report with charts to FILE

            Exit status: 0 when at least one request succeeded, 1 when none did, 2 on a bad command line.
            """;

    private static final List<String> FLAGS = List.of("url", "path", "image", "concurrency", "duration", "requests",
            "rate", "keep-alive", "new-connection", "timeout", "expect-pods", "json", "csv", "html", "help");

    private LoadTestCommand() {
    }

    static ExitStatus run(List<String> args, Map<String, String> env) {
        // Empty after --help, which forCommand has printed.
        return Options.forCommand(args, env, List.of("keep-alive", "new-connection", "json"), FLAGS, HELP)
                .map(options -> run(options, env)).orElse(ExitStatus.OK);
    }

    private static ExitStatus run(Options options, Map<String, String> env) {
        LoadPlan plan = plan(options);
        int expectedPods = options.intValue("expect-pods", null, 0);
        Optional<String> silent = nothingAnswers(plan);
        if (silent.isPresent()) { // else every worker would spin on refused connections for the whole run
            System.err.println("ml-app loadtest: " + silent.get());
            return ExitStatus.FAILURE;
        }
        System.err.println("loadtest: sending to http://" + plan.host() + ":" + plan.port() + plan.request().path()
                + (plan.duration() != null ? " for " + plan.duration().toMillis() / 1000.0 + " s" :
                " (" + plan.requests() + " requests)") + " …");
        LoadRun run;
        try {
            run = LoadGenerator.run(plan);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.FAILURE;
        }
        LoadSummary summary = LoadSummary.of(run, expectedPodNames(summaryPods(run), expectedPods));
        System.out.print(options.flag("json", null) ? JsonReport.render(plan, summary) + "\n"
                : TextReport.render(plan, summary));
        try {
            if (options.get("csv", null).isPresent()) {
                Path csv = Path.of(options.get("csv", null).get());
                try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                    CsvLog.write(run, out);
                }
                System.err.println("loadtest: per-request log in " + csv.toAbsolutePath());
            }
            if (options.get("html", null).isPresent()) {
                Path html = Path.of(options.get("html", null).get());
                Files.writeString(html, HtmlReport.render(plan, summary), StandardCharsets.UTF_8);
                System.err.println("loadtest: open file://" + html.toAbsolutePath() + " in a browser");
            }
        } catch (IOException e) {
            System.err.println("ml-app: cannot write the report: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        return summary.successes() > 0 ? ExitStatus.OK : ExitStatus.FAILURE;
    }

    /** Why one TCP connection to the target fails, as a sentence; empty when something accepts it. */
    static Optional<String> nothingAnswers(LoadPlan plan) {
        String target = plan.host() + ":" + plan.port();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(plan.host(), plan.port()),
                    (int) Math.min(Integer.MAX_VALUE, plan.timeout().toMillis()));
            return Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.of("cannot resolve " + plan.host() + ": check --url");
        } catch (SocketTimeoutException e) {
            return Optional.of("nothing answers on " + target + " (no connection within "
                    + plan.timeout().toMillis() + " ms): check --url and that the server runs");
        } catch (IOException e) {
            return Optional.of("nothing answers on " + target + " (" + e.getMessage()
                    + "): start the server, or point --url at one that runs");
        }
    }

    static LoadPlan plan(Options options) {
        URI url = url(options.get("url", "LOADTEST_URL")
                .orElseThrow(() -> new UsageException("loadtest needs --url, e.g. --url http://127.0.0.1:32000")));
        if (options.flag("keep-alive", null) && options.flag("new-connection", null)) {
            throw new UsageException("choose one of --keep-alive and --new-connection");
        }
        String urlPath = url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/")
                ? null : url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        RequestTemplate request;
        if (options.get("image", null).isPresent()) {
            Path image = Path.of(options.get("image", null).get());
            String path = options.get("path", null).orElse(urlPath != null ? urlPath : DEFAULT_IMAGE_PATH);
            request = imageUpload(image, path);
        } else {
            request = RequestTemplate.get(options.get("path", null).orElse(urlPath != null ? urlPath : DEFAULT_PATH));
        }
        long requests = options.longValue("requests", null, 0);
        Duration duration = options.get("duration", null).isPresent() || requests <= 0
                ? options.duration("duration", null, DEFAULT_DURATION) : null;
        if (duration != null && requests > 0) {
            throw new UsageException("choose one of --duration and --requests");
        }
        int concurrency = options.intValue("concurrency", null, DEFAULT_CONCURRENCY);
        if (concurrency < 1) {
            throw new UsageException("--concurrency must be at least 1");
        }
        double rate;
        try {
            rate = Double.parseDouble(options.get("rate", null, "0"));
        } catch (NumberFormatException e) {
            throw new UsageException("--rate wants requests per second, e.g. 200");
        }
        if (rate < 0) {
            throw new UsageException("--rate must be positive");
        }
        int port = url.getPort() > 0 ? url.getPort() : 80;
        return new LoadPlan(url.getHost(), port, request, concurrency, duration, requests, rate,
                options.flag("keep-alive", null), options.duration("timeout", null, DEFAULT_TIMEOUT));
    }

    private static RequestTemplate imageUpload(Path image, String path) {
        try {
            return Uploads.multipartFile(image, path);
        } catch (IOException e) {
            throw new UsageException("cannot read --image " + image + ": " + e.getMessage());
        }
    }

    private static URI url(String text) {
        try {
            URI url = new URI(text);
            if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new UsageException("--url must be http://HOST[:PORT][/PATH], not '" + text + "'");
            }
            return url;
        } catch (URISyntaxException e) {
            throw new UsageException("--url is not a URL: " + e.getMessage());
        }
    }

    private static List<String> summaryPods(LoadRun run) {
        return run.samples().stream().map(s -> s.podName()).filter(p -> p != null).distinct().toList();
    }

    /** When fewer pods answered than expected, adds placeholders so the evenness test counts the silent ones. */
    private static List<String> expectedPodNames(List<String> seen, int expected) {
        List<String> names = new ArrayList<>(seen);
        for (int i = 1; names.size() < expected; i++) {
            names.add("(silent pod " + i + ")");
        }
        return names;
    }
}

package dev.mlapp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cold start as a pod sees one: a new JVM ({@code serve}, the same java, JVM options and jar as this one, so a
 * CDS archive or AOT cache given to the benchmark is used too) from launch to {@code /readyz} 200, then the first
 * requests after ready against the steady latency that follows, each a POST of the benchmark's picture.
 */
final class ColdStart {

    /** What one start measured; {@code steadyMillis} in the order sent. */
    record Result(double startToReadyMillis, double[] firstMillis, double[] steadyMillis) {
        double steadyP50Millis() {
            double[] sorted = steadyMillis.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        double worstFirstOverSteady() {
            return Arrays.stream(firstMillis).max().orElse(Double.NaN) / steadyP50Millis();
        }

        /**
         * The same statistic for the steady requests: the worst of each run of {@value #FIRST_REQUESTS} over the
         * p50, the median of those. What "worst first / steady p50" would be with no cold start at all.
         */
        double steadyWorstOfTenOverP50() {
            double p50 = steadyP50Millis();
            double[] worst = new double[steadyMillis.length / FIRST_REQUESTS];
            for (int block = 0; block < worst.length; block++) {
                worst[block] = Arrays.stream(steadyMillis, block * FIRST_REQUESTS, (block + 1) * FIRST_REQUESTS)
                        .max().orElseThrow() / p50;
            }
            Arrays.sort(worst);
            return worst[worst.length / 2];
        }
    }

    static final int FIRST_REQUESTS = 10;
    private static final int STEADY_REQUESTS = 40;
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+/)");
    /** JVM options that must not be passed on: recording, agents, and writing a cache (only reading one). */
    private static final List<String> NOT_INHERITED = List.of("-XX:StartFlightRecording", "-agentlib", "-javaagent",
            "-XX:AOTCacheOutput", "-XX:AOTMode", "-XX:AOTConfiguration", "-XX:ArchiveClassesAtExit", "-Xlog",
            "-Djava.class.path");

    private ColdStart() {
    }

    /** @param extraArgs serve options after the defaults, e.g. the engine's */
    static Result measure(Path model, byte[] jpeg, List<String> extraArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (NOT_INHERITED.stream().noneMatch(option::startsWith)) {
                command.add(option);
            }
        }
        String classPath = System.getProperty("java.class.path");
        if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
            command.addAll(List.of("-jar", classPath));
        } else {
            command.addAll(List.of("-cp", classPath, "dev.mlapp.cli.Main"));
        }
        command.addAll(List.of("serve", "--host", "127.0.0.1", "--port", "0", "--pod-name", "cold-start"));
        if (model != null) {
            command.addAll(List.of("--model", model.toString()));
        }
        command.addAll(extraArgs);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            URI base = awaitListening(process);
            HttpClient client = HttpClient.newHttpClient();
            awaitReady(client, base, process);
            double ready = (System.nanoTime() - start) / 1e6;
            double[] first = new double[FIRST_REQUESTS];
            for (int i = 0; i < first.length; i++) {
                first[i] = predict(client, base, jpeg);
            }
            double[] steady = new double[STEADY_REQUESTS];
            for (int i = 0; i < steady.length; i++) {
                steady[i] = predict(client, base, jpeg);
            }
            return new Result(ready, first, steady);
        } finally {
            process.destroy(); // SIGTERM: the server drains and exits
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Reads the child's output (and keeps draining it) until it says where it listens. */
    private static URI awaitListening(Process process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<URI> listening = new CompletableFuture<>();
        Thread.ofPlatform().name("bench-cold-start-output").daemon().start(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(URI.create(m.group(1).replace("localhost", "127.0.0.1")));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            listening.completeExceptionally(new IOException("the server exited before it listened"));
        });
        try {
            return listening.get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("cold start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void awaitReady(HttpClient client, URI base, Process process)
            throws IOException, InterruptedException {
        HttpRequest readyz = HttpRequest.newBuilder(base.resolve("/readyz")).build();
        while (process.isAlive()) {
            try {
                if (client.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet
            }
            Thread.sleep(10);
        }
        throw new IOException("the server exited with status " + process.exitValue() + " before it was ready");
    }

    private static double predict(HttpClient client, URI base, byte[] jpeg) throws IOException, InterruptedException {
        // As HttpLoad sends it: the picture as the body (what the multipart parse adds is measured apart).
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/predict"))
                .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build();
        long t0 = System.nanoTime();
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        double millis = (System.nanoTime() - t0) / 1e6;
        if (response.statusCode() != 200) {
            throw new IOException("cold start: a request after ready answered " + response.statusCode());
        }
        return millis;
    }
}

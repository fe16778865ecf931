package dev.mlapp.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged jar in its own JVM, as a user runs it. For what only a fresh process shows: the JDK HTTP server
 * reads its connection limits from system properties once per process, so they cannot be varied in-process.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/");

    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code java [jvmArgs] -jar target/ml-app.jar --host 127.0.0.1 --port 0 [args]} and waits until ready. */
    public static ServerProcess start(List<String> jvmArgs, String... args) {
        Path jar = Path.of("target", "ml-app.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("target/ml-app.jar is missing: run after 'mvn package'");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(JvmConf.javaOptions());
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toString(), "--host", "127.0.0.1", "--port", "0"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
            JvmConf.environment().forEach(builder.environment()::putIfAbsent);
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
            int port = -1;
            boolean ready = false;
            StringBuilder log = new StringBuilder();
            for (String line; !ready && (line = out.readLine()) != null; ) {
                log.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
                ready = line.contains("ml-app ready");
            }
            if (!ready || port < 0) {
                process.destroyForcibly();
                throw new IllegalStateException("the server did not become ready:\n" + log);
            }
            Thread.ofVirtual().start(() -> {
                try {
                    out.lines().forEach(l -> { });
                } catch (UncheckedIOException e) {
                    // the process exited
                }
            });
            return new ServerProcess(process, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** A line of {@code /proc/<pid>/status}, e.g. "Threads" or "VmRSS", as a number (kB for sizes). */
    public long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("no " + field + " in /proc status");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

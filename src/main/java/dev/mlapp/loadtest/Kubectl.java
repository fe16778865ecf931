package dev.mlapp.loadtest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code kubectl} (found on the given environment's PATH, or {@code KUBECTL}) and returns its output.
 * Going through kubectl rather than the API server directly reuses the user's kubeconfig, credentials and
 * context exactly as the course's scripts do.
 */
public final class Kubectl {

    private static final long TIMEOUT_SECONDS = 20;

    private final Path executable;

    private Kubectl(Path executable) {
        this.executable = executable;
    }

    /** @throws KubectlException when kubectl cannot be found */
    public static Kubectl locate(Map<String, String> env) {
        String explicit = env.get("KUBECTL");
        if (explicit != null && !explicit.isBlank()) {
            return at(explicit, "KUBECTL=");
        }
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return new Kubectl(Path.of(dir, "kubectl"));
            }
        }
        throw new KubectlException("kubectl is not on PATH: run the monitor where kubectl reaches the cluster "
                + "(the course's control node), or set KUBECTL to its path");
    }

    /**
     * The kubectl the user named; {@code origin} says where, as the user wrote it ({@code "--kubectl "},
     * {@code "KUBECTL="}), so the message points at the setting that is wrong.
     *
     * @throws KubectlException when it is not an executable file
     */
    public static Kubectl at(String explicit, String origin) {
        Path path = Path.of(explicit);
        if (!Files.isExecutable(path)) {
            throw new KubectlException(origin + explicit + " is not an executable file");
        }
        return new Kubectl(path);
    }

    /** Runs {@code kubectl ARGS}; a non-zero exit becomes a {@link KubectlException} carrying kubectl's message. */
    public String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process, true));
            String out = readAll(process, false);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new KubectlException("kubectl " + String.join(" ", args) + " took over " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new KubectlException(lastLine(err.join()));
            }
            return out;
        } catch (IOException e) {
            throw new KubectlException("cannot run " + executable + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubectlException("interrupted");
        }
    }

    /** kubectl's conclusion is its last line; client-go's retries before it only repeat the cause. */
    private static String lastLine(String stderr) {
        String[] lines = stderr.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static String readAll(Process process, boolean stderr) {
        try {
            return new String((stderr ? process.getErrorStream() : process.getInputStream()).readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** kubectl is missing or said no; the message is for the user. */
    public static final class KubectlException extends RuntimeException {
        public KubectlException(String message) {
            super(message);
        }
    }
}

package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mlapp.testing.SystemTools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@code scripts/deploy/local-cluster.sh} from a test: the packaged jar, the running JVM's own JDK (as JAVA_HOME,
 * which the script's JDK helper takes first), and a run directory of its own. Every port is an ephemeral one the
 * system hands out, never the course's 32000: on a Kubernetes node a NodePort has no listening socket, so 32000
 * looks free while the node's Service owns it.
 */
final class LocalCluster implements AutoCloseable {

    static final int REPLICAS = 5;
    private static final Path SCRIPT = Path.of("scripts", "deploy", "local-cluster.sh").toAbsolutePath();
    private static final Path JAR = Path.of("target", "ml-app.jar").toAbsolutePath();

    final int port;
    private final Path runDir;

    private LocalCluster(int port, Path runDir) {
        this.port = port;
        this.runDir = runDir;
    }

    /** Starts five hello-mode replicas behind HAProxy; skips (fails in CI) without haproxy. */
    static LocalCluster up(String name, String... extraOptions) throws IOException, InterruptedException {
        SystemTools.require("haproxy", "haproxy");
        if (!Files.isRegularFile(JAR)) {
            fail(JAR + " is missing: integration tests run after 'mvn package'");
        }
        int port = freePort();
        Path runDir = Path.of("target", "local-cluster-it-" + name).toAbsolutePath();
        LocalCluster cluster = new LocalCluster(port, runDir);
        List<String> command = new ArrayList<>(List.of("up", "--hello", "--replicas", String.valueOf(REPLICAS),
                "--port", String.valueOf(port), "--base-port", String.valueOf(freeBlock(REPLICAS))));
        command.addAll(List.of(extraOptions));
        String out = cluster.script(command, 300);
        System.out.println(out);
        return cluster;
    }

    /** Sends {@code signal} (TERM or KILL) to replica {@code n} (1-based). */
    void kill(int n, String signal) throws IOException, InterruptedException {
        script(List.of("kill", String.valueOf(n), "--signal", signal), 10);
    }

    /** Restarts replica {@code n} as Kubernetes restarts a pod: SIGTERM, drain, start, ready. */
    void restart(int n) throws IOException, InterruptedException {
        System.out.println(script(List.of("restart", String.valueOf(n)), 240));
    }

    String status() throws IOException, InterruptedException {
        return script(List.of("status"), 30);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        script(List.of("down"), 60);
    }

    private String script(List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(args);
        command.addAll(List.of("--run-dir", runDir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("ML_APP_JAR", JAR.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("local-cluster.sh " + args + " took more than " + timeoutSeconds + " s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "local-cluster.sh " + args + ":\n" + out);
        return out;
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * First of {@code count} consecutive free ports (the script numbers replicas from a base port), below the
     * ephemeral range: there only listeners take ports, while inside it every outgoing connection holds one too, and
     * on a machine running load tests beside this one the neighbours of an ephemeral port were seldom all free.
     */
    static int freeBlock(int count) {
        int low = 10_000;
        int high = ephemeralRangeStart() - count;
        for (int attempt = 0; attempt < 1000; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(low, high);
            boolean free = true;
            for (int p = base; p < base + count && free; p++) {
                free = isFree(p);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports in " + low + "-" + high
                + " after 1000 tries");
    }

    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Math.max(20_000, Integer.parseInt(range.split("\\s+")[0]));
        } catch (IOException | RuntimeException notLinux) {
            return 32_768;
        }
    }
}

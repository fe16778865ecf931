package dev.mlapp.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlapp.testing.SystemTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The web page in a real browser: runs the Node test suite in {@code e2e/} (playwright-core driving Debian's
 * headless Chromium against replicas started from {@code target/ml-app.jar}, and against
 * {@code scripts/deploy/local-cluster.sh}). An IT because it needs the packaged jar. Screenshots and logs go to
 * {@code target/e2e-artifacts/}. Installs {@code e2e/node_modules} itself ({@code npm ci}) when missing. Skips
 * locally when node, npm or chromium is missing or npm cannot install; fails under CI=true.
 */
class WebPageBrowserIT {

    private static final Path E2E = Path.of("e2e");
    private static final Path ARTIFACTS = Path.of("target", "e2e-artifacts");
    private static final long TIMEOUT_MINUTES = 15;
    private static final Pattern COUNT = Pattern.compile("^# (pass|fail|cancelled|skipped) (\\d+)$");

    @Test
    void webPageWorksInHeadlessChromium() throws IOException, InterruptedException {
        Path node = SystemTools.require("node", "nodejs");
        SystemTools.require("chromium", "chromium");
        requirePlaywright();
        Files.createDirectories(ARTIFACTS);
        Path tap = ARTIFACTS.resolve("node-test.tap");

        ProcessBuilder builder = new ProcessBuilder(node.toString(), "--test", "--test-reporter=tap",
                "--test-concurrency=1", E2E.toString() + "/")
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        int[] counts = new int[4];
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                System.out.println("[e2e] " + line);
                output.append(line).append('\n');
                Matcher m = COUNT.matcher(line);
                if (m.matches()) {
                    counts[switch (m.group(1)) {
                        case "pass" -> 0;
                        case "fail" -> 1;
                        case "cancelled" -> 2;
                        default -> 3;
                    }] = Integer.parseInt(m.group(2));
                }
            }
        }
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("the browser tests took longer than " + TIMEOUT_MINUTES + " minutes");
        }
        Files.writeString(tap, output);

        assertEquals(0, process.exitValue(), "node --test e2e/ failed; see " + tap + " and the screenshots beside it");
        assertEquals(0, counts[1] + counts[2], "failed or cancelled browser tests; see " + tap);
        assertTrue(counts[0] > 0, "no browser test ran; see " + tap);
        if (SystemTools.inCi()) {
            assertEquals(0, counts[3], "browser tests skipped under CI; see " + tap);
        }
    }

    /**
     * The test command itself installs the browser test's one npm package (playwright-core, which downloads no
     * browser) on the first run, so {@code mvn verify} needs no separate {@code npm ci} step.
     */
    private static void requirePlaywright() throws IOException, InterruptedException {
        if (Files.isDirectory(E2E.resolve("node_modules").resolve("playwright-core"))) {
            return;
        }
        Path npm = SystemTools.require("npm", "npm");
        System.out.println("[e2e] installing the browser test's npm packages: npm ci in e2e/ (playwright-core only)");
        Process process = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
                .directory(E2E.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = process.waitFor(5, TimeUnit.MINUTES);
        if (!done || process.exitValue() != 0) {
            process.destroyForcibly();
            String message = "'npm ci' in e2e/ failed (is the npm registry reachable?):\n" + output;
            if (SystemTools.inCi()) {
                fail(message);
            }
            assumeTrue(false, "skipped: " + message);
        }
    }
}

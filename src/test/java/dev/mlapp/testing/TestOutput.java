package dev.mlapp.testing;

import dev.mlapp.cli.Logging;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Keeps {@code ./mvnw -B verify} readable: what tests print (their servers' logs, child processes' output, their
 * own reports) is kept back and shown on the console only under a test that failed; all of it is also written to
 * {@code target/test-output/<pid>.log}. Libraries log at WARNING, as under {@code serve} (jHDF alone wrote 16,565
 * INFO lines per run). What must stay visible
 * — skip reasons ({@link SkipReasons}), corpus tallies — is printed through {@link #console()}. Registered for every
 * test run through {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}, before
 * {@link SkipReasons}.
 */
public final class TestOutput implements TestExecutionListener {

    private static volatile PrintStream console = System.out;

    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;
    private OutputStream log;

    /** Where a line that everyone running the tests must see goes: the console, never held back. */
    public static PrintStream console() {
        return console;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        originalOut = System.out;
        originalErr = System.err;
        console = originalOut;
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-output"));
            log = Files.newOutputStream(dir.resolve(ProcessHandle.current().pid() + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write target/test-output", e);
        }
        PrintStream capture = new PrintStream(new Capture(), true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        // As serve logs, with every access line (tests read them; here they are held back like the rest).
        Logging.configure(Map.of("ACCESS_LOG", "1"), capture);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        String output;
        synchronized (held) {
            output = held.toString(StandardCharsets.UTF_8);
            held.reset(); // a class's set-up belongs to its first test's output (all of it is in the log)
        }
        if (result.getStatus() == TestExecutionResult.Status.FAILED && !output.isEmpty()) {
            console.print("---- output of " + test.getDisplayName() + " (failed) ----\n" + output
                    + (output.endsWith("\n") ? "" : "\n") + "---- end of output of " + test.getDisplayName() + " ----\n");
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        System.setOut(originalOut);
        System.setErr(originalErr);
        console = originalOut;
        try {
            log.close();
        } catch (IOException e) {
            originalErr.println("cannot close target/test-output: " + e.getMessage());
        }
    }

    /** Everything printed: held for the test that is running, and logged. */
    private final class Capture extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            synchronized (held) {
                held.write(bytes, offset, length);
                log.write(bytes, offset, length);
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (held) {
                log.flush();
            }
        }
    }
}

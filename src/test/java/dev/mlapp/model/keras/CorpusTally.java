package dev.mlapp.model.keras;

import dev.mlapp.testing.TestOutput;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passed and failed cases of a corpus test (one dynamic test per model directory), printed once after the last
 * case, so a run over hundreds of models ends with one line to read and the failures listed under it.
 */
public final class CorpusTally {

    /** One case's check; it fails by throwing. */
    public interface Check {
        void run() throws IOException;
    }

    private final String corpus;
    private final AtomicInteger passed = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    public CorpusTally(String corpus) {
        this.corpus = corpus;
    }

    /** Runs {@code check}, counts it, and rethrows its failure so the dynamic test fails too. */
    public void run(String name, Check check) throws IOException {
        try {
            check.run();
            passed.incrementAndGet();
        } catch (Throwable e) {
            failures.add(name + ": " + e);
            throw e;
        }
    }

    /** The summary line, with {@code note} after the counts (may be empty); nothing when no case ran. */
    public void print(String note) {
        if (passed.get() + failures.size() == 0) {
            return;
        }
        TestOutput.console().println(corpus + ": " + passed.get() + " passed, " + failures.size() + " failed" + note);
        failures.forEach(f -> TestOutput.console().println("  FAILED " + f));
    }
}

package dev.mlapp.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints each skipped test and its reason on the console, where a person running {@code mvn verify} looks:
 * Surefire's summary only counts skips, and their reasons (HAProxy not installed, {@code ../shared} absent…)
 * would otherwise reach only the XML reports. Registered for every test run through
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 */
public final class SkipReasons implements TestExecutionListener {

    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        print(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            print(test, result.getThrowable().map(Throwable::getMessage).orElse("no reason given"));
        }
    }

    private void print(TestIdentifier test, String reason) {
        TestOutput.console().println("SKIPPED " + path(test) + ": " + reason.replaceFirst("^Assumption failed: ", "")
                .replaceFirst("^skipped: ", ""));
    }

    /** e.g. {@code KerasConformanceTest > conformanceCorpus()}: the class and test names, without the engine's. */
    private String path(TestIdentifier test) {
        List<String> names = new ArrayList<>();
        for (Optional<TestIdentifier> at = Optional.of(test); at.isPresent() && at.get().getParentId().isPresent();
             at = plan == null ? Optional.empty() : plan.getParent(at.get())) {
            names.addFirst(at.get().getDisplayName());
        }
        return String.join(" > ", names);
    }
}

package dev.mlapp.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Test-side checks for things outside the JVM. Where a tool or the shared test data is missing, a developer's run
 * skips with a message saying what to install; under {@code CI=true}, where {@code .ci/run} installed everything,
 * the same absence fails the test, so CI can never go green by skipping.
 */
public final class SystemTools {

    private SystemTools() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Returns the tool's path, or skips (fails under CI) naming the Debian package that provides it. */
    public static Path require(String tool, String debianPackage) {
        Optional<Path> found = find(tool);
        if (found.isEmpty()) {
            String message = tool + " is not installed (apt-get install " + debianPackage + ")";
            if (inCi()) {
                fail(message + "; .ci/run should have installed it");
            }
            assumeTrue(false, "skipped: " + message);
        }
        return found.get();
    }

    /**
     * Returns {@code ../shared/<relative>} from the project root, or skips (fails under CI) when absent, saying
     * what the data is and where it comes from.
     */
    public static Path requireShared(String relative) {
        Path path = Path.of("..", "shared", relative).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            String message = "shared test data " + path + " is absent (" + sharedSource(relative) + "; the project's"
                    + " shared data folder sits next to the clone as ../shared, outside the repository: see README.md,"
                    + " 'What the tests need')";
            if (inCi()) {
                fail(message + "; CI places ../shared next to the clone");
            }
            assumeTrue(false, "skipped: " + message);
        }
        return path;
    }

    private static String sharedSource(String relative) {
        if (relative.startsWith("keras-conformance")) {
            return "real Keras files with reference outputs, from Deeplearning4j's dl4j-test-resources,"
                    + " modelimport/keras, Apache License 2.0";
        } else if (relative.startsWith("models")) {
            return "the course's full-size Food-11 models, MobileNetV2 and VGG16, with inputs and Keras's outputs";
        } else if (relative.startsWith("keras-realworld")) {
            return "Keras files people committed to public GitHub repositories, each with its source recorded in"
                    + " case.json";
        } else if (relative.startsWith("images")) {
            return "the course's food photos";
        }
        return "data too large or third-party to keep in the repository";
    }

    public static Optional<Path> find(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/local/sbin"}) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}

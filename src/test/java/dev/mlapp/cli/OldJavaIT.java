package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlapp.testing.SystemTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar target/ml-app.jar} under a java older than 21 (Debian 12's default is 17) says in one sentence
 * what to do, instead of {@code UnsupportedClassVersionError ... class file version 65.0}.
 */
class OldJavaIT {

    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    @Test
    void anOldJavaSaysWhichJdkToUse() throws IOException, InterruptedException {
        Path java = oldJava().orElse(null);
        if (java == null) {
            String message = "no JDK older than 21 in /usr/lib/jvm to start the jar with (apt-get install openjdk-17-jre)";
            if (SystemTools.inCi()) {
                fail(message);
            }
            assumeTrue(false, "skipped: " + message);
        }
        Process process = new ProcessBuilder(java.toString(), "-jar", "target/ml-app.jar", "--help")
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(1, process.exitValue(), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.matches("ml-app needs Java 21 or newer and was started by Java \\d+ \\(.+\\): run \\./ml-app in the"
                + " project, which finds a JDK 21\\+ wherever it is installed, or install one, e\\.g\\. 'sudo apt-get"
                + " install openjdk-21-jdk'\\."), out);
    }

    private static Optional<Path> oldJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> {
                        try {
                            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
                            return m.find() && Integer.parseInt(m.group(1)) < 21;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .map(home -> home.resolve("bin/java")).findFirst();
        }
    }
}

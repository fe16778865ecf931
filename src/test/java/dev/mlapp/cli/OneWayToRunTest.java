package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One way to run every command, in the docs and in the help: {@code ./ml-app} and {@code ./mvnw}, which find a JDK
 * 21+ themselves. A bare {@code java -jar} fails under the default Java 17 of Debian 12, and a bare {@code mvn}
 * builds with it; each is written only where the launcher itself is explained.
 */
class OneWayToRunTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    /** The paragraphs that explain what the launchers run, by a phrase only they contain. */
    private static final List<String> EXPLAINING_THE_LAUNCHER = List.of(
            "`./ml-app [COMMAND] [OPTIONS]` is `java -jar", // README: what ./ml-app is
            "**Entry point** `/opt/ml-app/bin/ml-app`"); // docs/container.md: what the image's entry point runs

    @Test
    void theDocsSayDotSlashMlAppAndMvnw() throws IOException {
        List<String> offending = new ArrayList<>();
        for (Path doc : docs()) {
            String[] paragraphs = Files.readString(doc).split("\n\\s*\n");
            for (String paragraph : paragraphs) {
                boolean explains = EXPLAINING_THE_LAUNCHER.stream().anyMatch(paragraph::contains);
                for (String line : paragraph.split("\n")) {
                    boolean javaJar = line.contains("java -jar") && !explains;
                    boolean bareMaven = line.strip().matches("(\\$ )?mvn .*") || line.matches(".*`mvn -.*");
                    if (javaJar || bareMaven) {
                        offending.add(ROOT.relativize(doc) + ": " + line.strip());
                    }
                }
            }
        }
        assertEquals(List.of(), offending, "run commands with ./ml-app and ./mvnw");
    }

    @Test
    void theHelpOfEveryCommandSaysDotSlashMlApp() {
        for (String[] help : List.of(new String[] {"--help"}, new String[] {"serve", "--help"},
                new String[] {"infer", "--help"}, new String[] {"export", "--help"}, new String[] {"bench", "--help"},
                new String[] {"loadtest", "--help"}, new String[] {"monitor", "--help"},
                new String[] {"size", "--help"})) {
            Captured result = Captured.run(help);
            assertEquals(ExitStatus.OK, result.status(), String.join(" ", help));
            assertTrue(result.out().contains("Usage: ./ml-app"), result.out());
            assertTrue(!result.out().contains("java -jar"), String.join(" ", help) + ": " + result.out());
        }
        Captured mistake = Captured.run("--prot", "5102");
        assertTrue(mistake.err().contains("Run './ml-app --help'") && !mistake.err().contains("java -jar"),
                mistake.err());
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(Files.walk(ROOT.resolve("docs")), Files.walk(ROOT.resolve("ansible")))) {
            files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
        }
        for (String top : List.of("README.md", "SECURITY.md", "BENCHMARKS.md")) {
            docs.add(ROOT.resolve(top));
        }
        return docs;
    }
}

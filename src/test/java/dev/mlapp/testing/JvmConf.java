package dev.mlapp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's {@code jvm.conf}, read as {@code scripts/lib/jdk.sh} reads it: the JVM options and environment every
 * ml-app process gets, so a test that starts the jar starts it as {@code ./ml-app} and the image do.
 */
public final class JvmConf {

    public static final Path FILE = Path.of("jvm.conf");

    private JvmConf() {
    }

    /** The options for this JVM's version ({@code java <since> <option>} lines), in the file's order. */
    public static List<String> javaOptions() {
        return javaOptions(Runtime.version().feature());
    }

    /** The options a JDK of {@code feature} (21, 25…) gets. */
    public static List<String> javaOptions(int feature) {
        return entries("java").stream().filter(e -> Integer.parseInt(e[1]) <= feature).map(e -> e[2]).toList();
    }

    /** The variables ({@code env <name> <value>} lines). */
    public static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        entries("env").forEach(e -> env.put(e[1], e[2]));
        return env;
    }

    /** The {@link #javaOptions()} of a java command line, with the {@link #environment()} set unless set. */
    public static ProcessBuilder apply(ProcessBuilder builder) {
        List<String> command = builder.command();
        command.addAll(1, javaOptions());
        environment().forEach(builder.environment()::putIfAbsent);
        return builder;
    }

    private static List<String[]> entries(String kind) {
        try {
            return Files.readAllLines(FILE).stream().map(String::strip)
                    .filter(line -> line.startsWith(kind + " ")).map(line -> line.split("\\s+", 3)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

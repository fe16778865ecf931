package dev.mlapp.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.JvmConf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvm.conf} is the one owner of the JVM options and environment every ml-app process gets: the readers read
 * it (./ml-app and the scripts through {@code scripts/lib/jdk.sh}, whose command line {@code JdkHelperTest} checks;
 * the image's entry point; the tests' {@code ServerProcess}), and pom.xml's argLines, which Maven cannot read it
 * into, carry exactly its options.
 */
class JvmConfTest {

    /** Files that read jvm.conf, and so must not spell out what it holds. */
    private static final List<String> READERS = List.of("ml-app", "docker/entrypoint.sh", "scripts/lib/jdk.sh",
            "scripts/deploy/local-cluster.sh", "scripts/bench/bench-scale-out.sh", "scripts/test/soak.sh",
            "ansible/roles/mlapp_deploy/defaults/main.yml", "ansible/roles/mlapp_deploy/README.md",
            "ansible/roles/mlapp_deploy/tasks/sizing.yml",
            "src/test/java/dev/mlapp/testing/ServerProcess.java", "src/test/java/dev/mlapp/cli/ServeProcessIT.java");

    @TempDir
    Path dir;

    @Test
    void theFileHasOptionsAndVariables() {
        List<String> all = JvmConf.javaOptions(Integer.MAX_VALUE);
        assertTrue(all.contains("--enable-native-access=ALL-UNNAMED"), "TensorFlow-Java's natives: " + all);
        assertEquals("2", JvmConf.environment().get("MALLOC_ARENA_MAX"));
    }

    @Test
    void pomsArgLinesStartWithItsOptions() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher argLine = Pattern.compile("<argLine>([^<]*)</argLine>").matcher(pom);
        List<String> lines = new ArrayList<>();
        while (argLine.find()) {
            lines.add(argLine.group(1));
        }
        assertEquals(2, lines.size(), "surefire's and failsafe's argLine");
        // The build's JDK is 23 or newer (./mvnw finds 25), so every option applies.
        String options = String.join(" ", JvmConf.javaOptions(Integer.MAX_VALUE));
        for (String line : lines) {
            assertTrue(line.equals(options) || line.startsWith(options + " "), "pom.xml's argLine '" + line
                    + "' must start with jvm.conf's options: " + options);
        }
    }

    @Test
    void theReadersDoNotSpellOutWhatItHolds() throws IOException {
        List<String> held = new ArrayList<>(JvmConf.javaOptions(Integer.MAX_VALUE));
        held.addAll(JvmConf.environment().keySet());
        for (String reader : READERS) {
            String text = Files.readString(Path.of(reader));
            for (String fact : held) {
                assertFalse(text.contains(fact), reader + " spells out " + fact + ": read it from jvm.conf");
            }
        }
    }

    @Test
    void theImagesEntryPointPassesItsOptionsAndVariables() throws Exception {
        Path app = Files.createDirectories(dir.resolve("opt/ml-app"));
        Files.copy(JvmConf.FILE, app.resolve("jvm.conf"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path entryPoint = Files.writeString(dir.resolve("entrypoint.sh"), Files.readString(
                Path.of("docker/entrypoint.sh")).replace("app=/opt/ml-app", "app=" + app));
        String options = String.join(" ", JvmConf.javaOptions(Integer.MAX_VALUE));

        assertEquals("MALLOC_ARENA_MAX=2", run(entryPoint, bin, Map.of()).split(" ")[0]);
        String command = run(entryPoint, bin, Map.of("MALLOC_ARENA_MAX", "4"));
        assertTrue(command.startsWith("MALLOC_ARENA_MAX=4 "), "a variable set already wins: " + command);
        assertTrue(command.contains(" " + options + " -jar " + app.resolve("ml-app.jar") + " serve"), command);
    }

    private static String run(Path script, Path bin, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), "serve").redirectErrorStream(true);
        builder.environment().remove("MALLOC_ARENA_MAX");
        builder.environment().remove("MODEL_PATH");
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        return out.replaceAll("\\s+", " ");
    }
}

package dev.mlapp.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.JvmConf;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/lib/jdk.sh}, the one helper through which {@code ./mvnw}, {@code ./ml-app}, every script and
 * {@code .ci/run} find a JDK ≥ 21 on a machine whose default {@code java} is older. Real bash, real files: fake JDK
 * homes (a {@code release} file and {@code bin/java}, {@code bin/javac} that print how they were called).
 */
class JdkHelperTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir
    Path dir;

    private Path jdk(String name, String version, boolean withCompiler) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        executable(home.resolve("bin/java"), "echo \"java $*\"");
        if (withCompiler) {
            executable(home.resolve("bin/javac"), "true");
        }
        return home;
    }

    private static void executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int status, String out, String err) {
    }

    /** Runs {@code command} under bash with only the given JDKs findable and an old java first on PATH. */
    private Run run(Path javaHome, List<Path> installed, String command, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile());
        Map<String, String> env = builder.environment();
        env.remove("JAVA_HOME");
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome.toString());
            env.put("PATH", javaHome.resolve("bin") + ":" + dir.resolve("tools") + ":/usr/bin:/bin");
        } else {
            env.put("PATH", dir.resolve("tools") + ":/usr/bin:/bin");
        }
        env.put("ML_APP_JDK_DIRS", String.join(":", installed.stream().map(Path::toString).toList()));
        env.putAll(extraEnv);
        Process process = builder.start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), command);
        return new Run(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }

    private Run helper(Path javaHome, List<Path> installed) throws IOException, InterruptedException {
        return run(javaHome, installed, "source scripts/lib/jdk.sh && jdk_use && echo \"$JAVA_HOME\"", Map.of());
    }

    @Test
    void anOldJavaHomeAndPathGiveWayToTheNewestInstalledJdk() throws Exception {
        Path jdk17 = jdk("jdk-17", "17.0.15", true);
        Path jdk21 = jdk("jdk-21", "21.0.9", true);
        Path jdk25 = jdk("jdk-25", "25.0.3", true);
        Run run = helper(jdk17, List.of(jdk17, jdk21, jdk25));
        assertEquals(0, run.status(), run.err());
        assertEquals(jdk25.toString(), run.out());
    }

    @Test
    void aJavaHomeOf21OrNewerIsTheUsersChoice() throws Exception {
        Path jdk21 = jdk("jdk-21", "21.0.9", true);
        Path jdk25 = jdk("jdk-25", "25.0.3", true);
        assertEquals(jdk21.toString(), helper(jdk21, List.of(jdk25)).out());
    }

    @Test
    void aRuntimeWithoutACompilerDoesNotCount() throws Exception {
        Path jre25 = jdk("jre-25", "25.0.3", false);
        Path jdk21 = jdk("jdk-21", "21.0.9", true);
        assertEquals(jdk21.toString(), helper(null, List.of(jre25, jdk21)).out());
    }

    @Test
    void withoutAJdk21OneSentenceSaysWhichJdkToInstall() throws Exception {
        Path jdk17 = jdk("jdk-17", "17.0.15", true);
        Path jdk8 = jdk("jdk-8", "1.8.0_402", true);
        for (String command : List.of("source scripts/lib/jdk.sh && jdk_use", "./mvnw -v", "./ml-app --help")) {
            Run run = run(jdk17, List.of(jdk17, jdk8), command, Map.of());
            assertEquals(1, run.status(), command);
            assertEquals("", run.out(), command);
            assertEquals(1, run.err().lines().count(), command + ": " + run.err());
            assertTrue(run.err().matches("ml-app needs a JDK 21 or newer and found none .*: install one, e\\.g\\."
                    + " 'sudo apt-get install openjdk-21-jdk' or Temurin 21\\+ from https://adoptium\\.net\\."),
                    run.err());
        }
    }

    /** distributionUrl and distributionSha256Sum of the wrapper's properties, as ./mvnw reads them. */
    private static Map<String, String> wrapperProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve(".mvn/wrapper/maven-wrapper.properties"))) {
            properties.load(in);
        }
        return Map.of("url", properties.getProperty("distributionUrl"),
                "sha256", properties.getProperty("distributionSha256Sum"));
    }

    /** Where ./mvnw keeps the pinned Maven under MAVEN_USER_HOME {@code home}. */
    private static Path installedMaven(Path home) throws IOException {
        Map<String, String> pin = wrapperProperties();
        String file = pin.get("url").substring(pin.get("url").lastIndexOf('/') + 1);
        return home.resolve("wrapper/dists").resolve(file.replace(".tar.gz", "")).resolve(pin.get("sha256")
                .substring(0, 16)).resolve(file.replace("-bin.tar.gz", ""));
    }

    @Test
    void mvnwRunsTheInstalledMavenUnderTheJdkItFound() throws Exception {
        Path jdk17 = jdk("jdk-17", "17.0.15", true);
        Path jdk25 = jdk("jdk-25", "25.0.3", true);
        Path home = dir.resolve("m2");
        Path maven = installedMaven(home);
        Files.createDirectories(maven.resolve("bin"));
        executable(maven.resolve("bin/mvn"), "echo \"mvn $* under $JAVA_HOME, java $(command -v java)\"");
        Run run = run(jdk17, List.of(jdk17, jdk25), "./mvnw -B verify", Map.of("MAVEN_USER_HOME", home.toString()));
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err(), "an installed Maven is run without a word");
        assertEquals("mvn -B verify under " + jdk25 + ", java " + jdk25.resolve("bin/java"), run.out());
    }

    @Test
    void mvnwInstallsNoMavenWhoseChecksumDiffers() throws Exception {
        Path jdk25 = jdk("jdk-25", "25.0.3", true);
        // a mirror whose archive has the pinned name and a working bin/mvn, but other bytes
        String url = wrapperProperties().get("url");
        Path mirror = dir.resolve("mirror");
        Path archive = mirror.resolve(url.substring(url.indexOf("/org/apache/maven/") + 1));
        String name = archive.getFileName().toString().replace("-bin.tar.gz", "");
        Files.createDirectories(dir.resolve("tree").resolve(name).resolve("bin"));
        executable(dir.resolve("tree").resolve(name).resolve("bin/mvn"), "echo not the pinned Maven");
        Files.createDirectories(archive.getParent());
        Run tar = run(jdk25, List.of(), "tar -czf " + archive + " -C " + dir.resolve("tree") + " " + name, Map.of());
        assertEquals(0, tar.status(), tar.err());
        Path home = dir.resolve("m2");
        Run run = run(jdk25, List.of(), "./mvnw -v",
                Map.of("MAVEN_USER_HOME", home.toString(), "MVNW_REPOURL", mirror.toUri().toString()));
        assertEquals(1, run.status(), run.out());
        assertEquals("", run.out());
        List<String> lines = run.err().lines().toList();
        assertEquals(2, lines.size(), run.err()); // the download's one line, then why nothing was installed
        assertTrue(lines.get(1).matches("mvnw: .* has SHA-256 [0-9a-f]{64}, not the distributionSha256Sum "
                + wrapperProperties().get("sha256") + " of .*: it is not the Maven the project pins; nothing was"
                + " installed\\."), lines.get(1));
        try (Stream<Path> left = Files.list(installedMaven(home).getParent())) {
            assertEquals(List.of(), left.toList(), "neither the Maven nor the download is left behind");
        }
    }

    @Test
    void mvnwOfflineSaysInOneLineWhatToDo() throws Exception {
        Path jdk25 = jdk("jdk-25", "25.0.3", true);
        Run run = run(jdk25, List.of(), "./mvnw -v", Map.of("MAVEN_USER_HOME", dir.resolve("m2").toString(),
                "MVNW_REPOURL", dir.resolve("unreachable").toUri().toString()));
        assertEquals(1, run.status(), run.out());
        List<String> lines = run.err().lines().toList();
        assertEquals(2, lines.size(), run.err());
        assertTrue(lines.get(1).matches("mvnw: could not download .*: connect to the network for this first run, or"
                + " set MVNW_REPOURL to a mirror\\."), lines.get(1));
    }

    @Test
    void mvnwQuietPrintsNoColourCodes() throws Exception {
        // Real Maven on this project (the validate phase runs no plugin): under -B -q it prints nothing at all, and
        // in particular not Jansi's colour reset, which would prefix the next program's first line.
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "./mvnw -B -q -o -N validate")
                .directory(ROOT.toFile()).redirectErrorStream(true);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        assertEquals("", out, "./mvnw -B -q printed: " + out.replace("\u001b", "ESC"));
    }

    @Test
    void theLauncherRunsTheJarWithTheFoundJdkAndItsOptions() throws Exception {
        Path jar = Files.writeString(dir.resolve("ml-app.jar"), "not really a jar");
        Path jdk17 = jdk("jdk-17", "17.0.15", true);
        Path jdk21 = jdk("jdk-21", "21.0.9", true);
        Path jdk25 = jdk("jdk-25", "25.0.3", true);
        Map<String, String> env = Map.of("ML_APP_JAR", jar.toString());
        // a class-data archive beside the jar, written at the first exit, read at every later start
        String cds = "-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=" + dir.resolve("ml-app.jsa") + " -Xlog:cds*=off ";
        assertEquals("java " + cds + String.join(" ", JvmConf.javaOptions(25)) + " -jar " + jar
                + " serve --port 5102", run(jdk17, List.of(jdk25), "./ml-app serve --port 5102", env).out());
        // JDK 21 and 22 do not know --sun-misc-unsafe-memory-access (new in 23), nor print the warning it silences.
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED"), JvmConf.javaOptions(21));
        assertEquals("java " + cds + String.join(" ", JvmConf.javaOptions(21)) + " -jar " + jar + " --help",
                run(jdk17, List.of(jdk21), "./ml-app --help", env).out());
    }

    @Test
    void theLauncherSaysHowToBuildAMissingJar() throws Exception {
        Path jdk25 = jdk("jdk-25", "25.0.3", true);
        Run run = run(jdk25, List.of(), "./ml-app", Map.of("ML_APP_JAR", dir.resolve("absent.jar").toString()));
        assertEquals(1, run.status());
        assertTrue(run.err().contains("run './mvnw -B -q -DskipTests package' first"), run.err());
    }

    /** The same JDK everywhere: whatever runs java or Maven goes through the helper. */
    @Test
    void everyScriptThatRunsJavaOrMavenUsesTheHelper() throws IOException {
        List<Path> scripts = new ArrayList<>(List.of(ROOT.resolve("mvnw"), ROOT.resolve("ml-app"),
                ROOT.resolve(".ci/run")));
        // every folder of scripts/ but lib/, whose files are sourced by scripts that have chosen the JDK already
        try (Stream<Path> files = Files.walk(ROOT.resolve("scripts"))) {
            files.filter(f -> f.toString().endsWith(".sh") && !f.startsWith(ROOT.resolve("scripts/lib")))
                    .forEach(scripts::add);
        }
        for (Path script : scripts) {
            String text = Files.readString(script);
            boolean runsJava = text.lines().map(String::strip).filter(l -> !l.startsWith("#"))
                    .anyMatch(l -> l.matches(".*(^|[\\s\"(])(mvn|java|\\$JAVA|\"\\$JAVA\")\\s.*"));
            if (runsJava) {
                assertTrue(text.contains("lib/jdk.sh") && text.contains("jdk_use"),
                        ROOT.relativize(script) + " runs java or mvn without scripts/lib/jdk.sh");
            }
        }
    }
}

package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which version the source asks for and what it records, on real directories, with a target that only notes the
 * request (and refuses the versions the test names): no model is loaded and no TensorFlow runs.
 */
class VersionSourceTest {

    @TempDir
    Path models;

    private final Target target = new Target();
    private VersionSource source;

    @Test
    void asksForTheNewestNumberedVersionOnceAndRecordsItServing() throws IOException {
        version(1);
        version(3);
        Files.createDirectories(models.resolve("staging"));
        Files.writeString(models.resolve("7"), "a file, not a version directory");
        source = new VersionSource(models, target);

        source.poll();
        assertEquals(List.of("3 " + models.resolve("3")), target.asked);
        assertEquals(Map.of("3", "serving"), source.states());

        source.poll();
        assertEquals(1, target.asked.size(), "the serving version is not asked for again");
    }

    @Test
    void aNewerVersionIsServedAndTheOneBeforeRetired() throws IOException {
        version(1);
        source = new VersionSource(models, target);
        source.poll();
        version(2);
        source.poll();
        assertEquals(List.of("1", "2"), target.versionsAsked());
        assertEquals(List.of("2=serving", "1=retired"), entries(source.states()), "newest first");
    }

    @Test
    void aRefusedVersionIsNotAskedForAgainAndTheServingOneStays() throws IOException {
        version(1);
        source = new VersionSource(models, target);
        source.poll();
        version(2);
        target.refuse("2", new IllegalStateException("version 2 has no weights"));
        source.poll();
        source.poll();
        assertEquals(List.of("1", "2"), target.versionsAsked(), "version 2 was tried once");
        assertEquals(List.of("2=refused: version 2 has no weights", "1=serving"), entries(source.states()));

        version(3);
        source.poll();
        assertEquals(List.of("3=serving", "2=refused: version 2 has no weights", "1=retired"),
                entries(source.states()));
    }

    @Test
    void removingTheNewestVersionRollsBackToTheOneBelow() throws IOException {
        version(1);
        version(2);
        source = new VersionSource(models, target);
        source.poll();
        Files.delete(models.resolve("2"));
        source.poll();
        assertEquals(List.of("2", "1"), target.versionsAsked());
        assertEquals(List.of("2=retired", "1=serving"), entries(source.states()));
    }

    @Test
    void aVersionIsLoadingWhileTheTargetPreparesIt() throws IOException {
        version(1);
        Map<String, String>[] during = new Map[1];
        source = new VersionSource(models, (version, dir) -> {
            during[0] = source.states();
            return true;
        });
        source.poll();
        assertEquals(Map.of("1", "loading"), during[0]);
        assertEquals(Map.of("1", "serving"), source.states());
    }

    /** An {@link Error} from a load (a native library missing, memory exhausted) refuses the version too. */
    @Test
    void anErrorFromTheTargetRefusesTheVersionAndPollingGoesOn() throws IOException {
        version(1);
        target.refuse("1", new OutOfMemoryError("Java heap space"));
        source = new VersionSource(models, target);
        source.poll();
        assertEquals(Map.of("1", "refused: Java heap space"), source.states());
        version(2);
        source.poll();
        assertEquals("serving", source.states().get("2"));
    }

    @Test
    void aTargetThatHasShutDownChangesNoRecord() throws IOException {
        version(1);
        source = new VersionSource(models, (version, dir) -> false);
        source.poll();
        assertEquals(Map.of("1", "loading"), source.states(), "never served, never refused");
    }

    @Test
    void aDirectoryThatIsGoneHasNoVersions() {
        source = new VersionSource(models.resolve("missing"), target);
        source.poll();
        assertEquals(List.of(), target.asked);
        assertEquals(Map.of(), source.states());
    }

    @Test
    void pollsOnItsOwnThreadUntilClosed() throws Exception {
        version(1);
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        source = new VersionSource(models, (version, dir) -> {
            threads.add(version + " on " + Thread.currentThread().getName());
            return true;
        });
        source.start(Duration.ofMillis(20));
        assertEquals("1 on model-versions", threads.poll(60, TimeUnit.SECONDS));
        source.close();
        Thread.sleep(100); // a poll under way when close was called has ended
        version(2);
        assertEquals(null, threads.poll(300, TimeUnit.MILLISECONDS), "no poll after close");
        assertTrue(source.states().containsKey("1"));
    }

    private void version(long number) throws IOException {
        Files.createDirectories(models.resolve(Long.toString(number)));
    }

    private static List<String> entries(Map<String, String> states) {
        List<String> entries = new ArrayList<>();
        states.forEach((version, state) -> entries.add(version + "=" + state));
        return entries;
    }

    /** Serves whatever it is asked for, except the versions given a failure to throw. */
    private static final class Target implements VersionSource.Target {

        final List<String> asked = new ArrayList<>();
        private final Map<String, Throwable> refusals = new HashMap<>();

        void refuse(String version, Throwable why) {
            refusals.put(version, why);
        }

        List<String> versionsAsked() {
            return asked.stream().map(a -> a.substring(0, a.indexOf(' '))).toList();
        }

        @Override
        public boolean serve(String version, Path dir) {
            asked.add(version + " " + dir);
            Throwable why = refusals.get(version);
            if (why instanceof RuntimeException e) {
                throw e;
            }
            if (why instanceof Error e) {
                throw e;
            }
            return true;
        }
    }
}

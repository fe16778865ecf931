package dev.mlapp.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A cgroup file tree in a temporary directory, for the limit readers' tests. */
final class FakeCgroup {

    private FakeCgroup() {
    }

    static void write(Path root, String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content + "\n");
    }
}

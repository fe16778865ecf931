package dev.mlapp.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * TensorFlow Serving's layout of a model's versions: a directory whose subdirectories are named by whole numbers
 * ({@code 1/}, {@code 2/}, ...), each holding one version (a SavedModel, or one {@code .h5}/{@code .keras} file).
 * The highest number is the one to serve.
 */
public final class ModelVersions {

    private ModelVersions() {
    }

    /** True when {@code path} is a directory of numbered versions rather than one model. */
    public static boolean isVersionDirectory(Path path) {
        return Files.isDirectory(path) && !Files.exists(path.resolve("saved_model.pb"))
                && !Files.exists(path.resolve("saved_model.pbtxt")) && ModelLoader.singleKerasFile(path).isEmpty()
                && !list(path).isEmpty();
    }

    /** The numbered subdirectories, by version number; empty when there are none (or the directory is gone). */
    public static NavigableMap<Long, Path> list(Path dir) {
        NavigableMap<Long, Path> versions = new TreeMap<>();
        try (Stream<Path> children = Files.list(dir)) {
            children.filter(Files::isDirectory).forEach(child -> {
                String name = child.getFileName().toString();
                if (name.matches("\\d{1,18}")) {
                    versions.put(Long.parseLong(name), child);
                }
            });
        } catch (IOException e) {
            return versions;
        }
        return versions;
    }
}

package dev.mlapp.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/** Class names, index-aligned with the model's output. */
public record Labels(List<String> names) {

    /** The course's Food-11 classes, in the order its training code sorts them. */
    public static final List<String> FOOD_11 = List.of("Bread", "Dairy product", "Dessert", "Egg", "Fried food",
            "Meat", "Noodles/Pasta", "Rice", "Seafood", "Soup", "Vegetable/Fruit");

    public Labels {
        names = List.copyOf(names);
    }

    /**
     * Labels for a model with {@code classes} outputs: from the file (one per line, blank lines ignored) if given,
     * else Food-11 when the model has 11 outputs, else {@code class_0 … class_N-1}.
     */
    public static Labels forModel(Path file, int classes) {
        if (file == null) {
            return classes == FOOD_11.size() ? new Labels(FOOD_11)
                    : new Labels(IntStream.range(0, classes).mapToObj(i -> "class_" + i).toList());
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read labels file " + file + ": " + e.getMessage(), e);
        }
        if (lines.size() != classes) {
            throw new ModelLoadException("labels file " + file + " has " + lines.size()
                    + " labels but the model has " + classes + " outputs");
        }
        return new Labels(lines);
    }

    public String get(int index) {
        return names.get(index);
    }

    public int size() {
        return names.size();
    }
}

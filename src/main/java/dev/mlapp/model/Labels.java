package dev.mlapp.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Class names, index-aligned with the model's output.
 *
 * @param names    one per output
 * @param numbered true when the file numbered its lines {@code 0 Cat}, {@code 1 Dog} (Teachable Machine's format)
 */
public record Labels(List<String> names, boolean numbered) {

    /** The course's Food-11 classes, in the order its training code sorts them. */
    public static final List<String> FOOD_11 = List.of("Bread", "Dairy product", "Dessert", "Egg", "Fried food",
            "Meat", "Noodles/Pasta", "Rice", "Seafood", "Soup", "Vegetable/Fruit");

    private static final Pattern NUMBERED = Pattern.compile("(\\d+)\\s+(\\S.*)");

    public Labels {
        names = List.copyOf(names);
    }

    public Labels(List<String> names) {
        this(names, false);
    }

    /** Food-11 for a model with 11 outputs, else {@code class_0 … class_N-1}. */
    public static Labels defaults(int classes) {
        return classes == FOOD_11.size() ? new Labels(FOOD_11)
                : new Labels(IntStream.range(0, classes).mapToObj(i -> "class_" + i).toList());
    }

    /**
     * Labels for a model with {@code classes} outputs: from the file if given (see {@link #read}), else
     * {@link #defaults}. A file with another count is an error.
     */
    public static Labels forModel(Path file, int classes) {
        if (file == null) {
            return defaults(classes);
        }
        Labels labels = read(file);
        if (labels.size() != classes) {
            throw new ModelLoadException("labels file " + file + " has " + labels.size()
                    + " labels but the model has " + classes + " outputs");
        }
        return labels;
    }

    /**
     * Reads a labels file: a JSON list ({@code ["cat", "dog"]}) or an object from index to name
     * ({@code {"0": "cat"}}) for {@code .json}; otherwise one label per line, blank lines ignored, where lines that
     * all start with their own index ({@code 0 Cat}, {@code 1 Dog}, as Teachable Machine writes them) lose it.
     */
    public static Labels read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read labels file " + file + ": " + e.getMessage(), e);
        }
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json")) {
            return new Labels(json(file, text));
        }
        List<String> lines = text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<String> unnumbered = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = NUMBERED.matcher(lines.get(i));
            if (!m.matches() || Integer.parseInt(m.group(1)) != i) {
                return new Labels(lines, false);
            }
            unnumbered.add(m.group(2).strip());
        }
        return new Labels(unnumbered, !lines.isEmpty());
    }

    private static List<String> json(Path file, String text) {
        try {
            JsonElement root = JsonParser.parseString(text);
            List<String> names = new ArrayList<>();
            if (root.isJsonArray()) {
                root.getAsJsonArray().forEach(e -> names.add(e.getAsString()));
            } else {
                var object = root.getAsJsonObject();
                for (int i = 0; i < object.size(); i++) {
                    JsonElement name = object.get(Integer.toString(i));
                    if (name == null) {
                        throw new IllegalStateException("no entry for index " + i);
                    }
                    names.add(name.getAsString());
                }
            }
            return names;
        } catch (RuntimeException e) {
            throw new ModelLoadException("labels file " + file + " is not a JSON list of names or an object from "
                    + "index to name: " + e.getMessage(), e);
        }
    }

    public String get(int index) {
        return names.get(index);
    }

    public int size() {
        return names.size();
    }
}

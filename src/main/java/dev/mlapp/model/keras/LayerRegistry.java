package dev.mlapp.model.keras;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every Keras layer class the importer can rebuild, mapped to its {@link LayerTranslation} and to whether Keras gives
 * it variables (which decides the {@code .keras} weight keys). The supported list is this map's keys; nested
 * {@code Sequential}/{@code Functional} models are walked by {@link GraphBuilder} itself.
 */
final class LayerRegistry {

    private static final List<LayerFamily> FAMILIES = List.of(CoreLayers::register, ActivationLayers::register,
            ConvolutionLayers::register, NormalizationLayers::register, PoolingLayers::register,
            ReshapingLayers::register, MergingLayers::register, PreprocessingLayers::register,
            RecurrentLayers::register, ApplicationLayers::register);

    /** The layers of Keras 2 and 3 this importer translates. */
    static final LayerRegistry KERAS = build(FAMILIES);

    private record Entry(LayerTranslation translation, Predicate<JsonObject> ownsVariables) {
    }

    private final Map<String, Entry> entries;

    private LayerRegistry(Map<String, Entry> entries) {
        this.entries = entries;
    }

    static LayerRegistry build(List<LayerFamily> families) {
        Builder builder = new Builder();
        families.forEach(family -> family.register(builder));
        return new LayerRegistry(builder.entries);
    }

    /** The supported class names, sorted. */
    Set<String> classNames() {
        return entries.keySet();
    }

    /** The translation of {@code className}, or null when there is none. */
    LayerTranslation translation(String className) {
        Entry entry = entries.get(className);
        return entry == null ? null : entry.translation();
    }

    /** Whether a layer of this class with this config has variables in the file (false for unknown classes). */
    boolean ownsVariables(String className, JsonObject config) {
        Entry entry = entries.get(className);
        return entry != null && entry.ownsVariables().test(config);
    }

    /** What each family adds its layers to. */
    static final class Builder {
        private final Map<String, Entry> entries = new TreeMap<>();

        private Builder() {
        }

        /** A layer without variables. */
        Builder add(String className, LayerTranslation translation) {
            return add(className, config -> false, translation);
        }

        /** A layer that always has variables (kernel, gamma, embeddings...). */
        Builder addWeighted(String className, LayerTranslation translation) {
            return add(className, config -> true, translation);
        }

        /** A layer whose variables depend on its config (Normalization with or without stored statistics). */
        Builder add(String className, Predicate<JsonObject> ownsVariables, LayerTranslation translation) {
            if (entries.putIfAbsent(className, new Entry(translation, ownsVariables)) != null) {
                throw new IllegalStateException("two layer families register Keras class " + className);
            }
            return this;
        }
    }
}

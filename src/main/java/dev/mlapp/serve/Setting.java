package dev.mlapp.serve;

import java.util.Optional;
import java.util.function.Function;

/**
 * One setting of {@code serve}, declared once in {@link ServeSettings}: its flag, environment variable, default,
 * help line and group. {@code --help}, the parsing of flags and variables, and the grouped configurations
 * ({@link ServeConfig#server()}, {@link ServeConfig#engine()}, {@link ServeConfig#classifier()}) all come from it.
 *
 * @param flag        the flag without its dashes, e.g. {@code port} for {@code --port}
 * @param valueName   the value's placeholder in {@code --help} ({@code N}, {@code DURATION}); null for a switch
 *                    such as {@code --hello}, which takes no value
 * @param alias       a second flag read when {@code flag} is absent ({@code --mode hello}); null for none
 * @param env         the environment variable; the flag wins over it
 * @param defaultValue what an unset setting is; null where the component decides (the model, its labels)
 * @param defaultText the default as {@code --help} and README's settings table state it
 * @param help        one sentence for {@code --help}, without the variable and the default, which are added
 * @param group       the section of {@code --help} it is listed in
 * @param parser      text to value; throws {@link IllegalArgumentException} with a sentence for the user
 */
public record Setting<T>(String flag, String valueName, String alias, String env, T defaultValue,
                         String defaultText, String help, Group group, Function<String, T> parser) {

    /** The sections of {@code serve --help}, in order. */
    public enum Group {
        SERVER("Server:"),
        MODEL("Model:"),
        IMAGES("Images:"),
        CONNECTIONS("Connections and shutdown:"),
        ENGINE("Inference (thread defaults follow the container's CPU limit, from cgroup cpu.max /"
                + " cpu.cfs_quota_us):");

        private final String heading;

        Group(String heading) {
            this.heading = heading;
        }

        public String heading() {
            return heading;
        }
    }

    /** A flag's value, else its environment variable's (either may be null to skip it); empty when neither. */
    @FunctionalInterface
    public interface Lookup {
        Optional<String> get(String flag, String env);
    }

    /** Whether it takes no value: {@code --hello} alone turns it on. */
    public boolean isSwitch() {
        return valueName == null;
    }

    /** How README's settings table names its variable: {@code APP_MODE=hello} for a switch, else the name. */
    public String envText() {
        return isSwitch() ? env + "=" + flag : env;
    }

    T read(Lookup lookup) {
        Optional<String> value = lookup.get(flag, alias == null ? env : null);
        if (value.isEmpty() && alias != null) {
            value = lookup.get(alias, env);
        }
        return value.map(parser).orElse(defaultValue);
    }
}

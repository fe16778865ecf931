package dev.mlapp.cli;

import dev.mlapp.serve.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Command-line flags of the form {@code --name value} or {@code --name=value} (and bare {@code --flag}),
 * each backed by an environment variable, so that a container is configured by env and a person by flags.
 * A flag wins over its variable.
 */
public final class Options {

    private final Map<String, String> flags = new HashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> env;

    private Options(Map<String, String> env) {
        this.env = env;
    }

    /** @param booleanFlags flags that take no value, e.g. {@code json} for {@code --json} */
    public static Options parse(List<String> args, Map<String, String> env, List<String> booleanFlags) {
        return parse(args, env, booleanFlags, null);
    }

    /** @param known every flag allowed, or null for any: an unknown one is named before its value is looked for */
    private static Options parse(List<String> args, Map<String, String> env, List<String> booleanFlags,
                                 List<String> known) {
        Options options = new Options(env);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h")) {
                options.flags.put("help", "true");
                continue;
            }
            if (arg.startsWith("-") && !arg.startsWith("--") && arg.length() > 1) {
                throw new UsageException("unknown option " + arg + ": options are spelt out with two dashes, e.g."
                        + " --port 5000");
            }
            if (!arg.startsWith("--")) {
                options.positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            if (known != null) {
                requireKnown(eq >= 0 ? name.substring(0, eq) : name, known);
            }
            if (eq >= 0) {
                options.flags.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (booleanFlags.contains(name)) {
                options.flags.put(name, "true");
            } else if (i + 1 < args.size()) {
                options.flags.put(name, args.get(++i));
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
        }
        return options;
    }

    /**
     * A subcommand's command line: {@code --help} prints {@code help} and returns empty (the command then exits 0);
     * otherwise every flag must be one of {@code known} ({@code --help} is always known and takes no value), and
     * nothing may stand outside a flag: a stray word or a single-dash option is a mistake to report, not to ignore.
     */
    public static Optional<Options> forCommand(List<String> args, Map<String, String> env, List<String> booleanFlags,
                                               List<String> known, String help) {
        List<String> booleans = new ArrayList<>(booleanFlags);
        booleans.add("help");
        List<String> allowed = new ArrayList<>(known);
        allowed.add("help");
        Options options = parse(args, env, booleans, allowed);
        if (options.flag("help", null)) {
            System.out.print(help);
            return Optional.empty();
        }
        if (!options.positional.isEmpty()) {
            throw new UsageException("unexpected argument '" + options.positional.get(0) + "': every value belongs"
                    + " to an option (--name value), and the command comes first");
        }
        return Optional.of(options);
    }

    public List<String> positional() {
        return positional;
    }

    /** Fails on a flag not in {@code known}, so a typo is never silently ignored (nor taken for a flag's value). */
    private static void requireKnown(String name, List<String> known) {
        if (!known.contains(name)) {
            throw new UsageException("unknown option --" + name + " (--help lists the options)");
        }
    }

    /** The flag's value, else the environment variable's, else empty. */
    public Optional<String> get(String flag, String envVar) {
        String value = flags.get(flag);
        if (value == null && envVar != null) {
            value = env.get(envVar);
        }
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String get(String flag, String envVar, String defaultValue) {
        return get(flag, envVar).orElse(defaultValue);
    }

    public boolean flag(String flag, String envVar) {
        return get(flag, envVar).map(v -> v.equals("true") || v.equals("1") || v.equals("yes")).orElse(false);
    }

    public int intValue(String flag, String envVar, int defaultValue) {
        return get(flag, envVar).map(v -> parseInt(flag, v)).orElse(defaultValue);
    }

    public long longValue(String flag, String envVar, long defaultValue) {
        return get(flag, envVar).map(v -> parseLong(flag, v)).orElse(defaultValue);
    }

    public Duration duration(String flag, String envVar, Duration defaultValue) {
        return get(flag, envVar).map(v -> parseDuration(flag, v)).orElse(defaultValue);
    }

    /** Accepts {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
    private static Duration parseDuration(String flag, String value) {
        try {
            return Durations.parse(flag, value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static int parseInt(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " wants a whole number, not '" + value + "'");
        }
    }

    private static long parseLong(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " wants a whole number, not '" + value + "'");
        }
    }
}

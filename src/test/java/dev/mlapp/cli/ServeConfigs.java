package dev.mlapp.cli;

import static dev.mlapp.serve.ServeSettings.ALL;

import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.ServeSettings;
import java.util.List;
import java.util.Map;

/** Test bridge: the {@link ServeConfig} that {@code serve} builds from an environment, as a pod's env would give. */
public final class ServeConfigs {

    private ServeConfigs() {
    }

    public static ServeConfig fromEnvironment(Map<String, String> env) {
        return fromArguments(List.of(), env);
    }

    /** The {@link ServeConfig} that {@code serve ARGS} builds, as a container's args would give. */
    public static ServeConfig fromArguments(List<String> args, Map<String, String> env) {
        return ServeCommand.config(Options.parse(args, env, ServeSettings.switches(ALL)), env);
    }
}

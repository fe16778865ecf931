package dev.mlapp.cli;

import dev.mlapp.http.ServerConfig;
import java.util.List;
import java.util.Map;

/** Test bridge: the {@link ServerConfig} that {@code serve} builds from an environment, as a pod's env would give. */
public final class ServeConfigs {

    private ServeConfigs() {
    }

    public static ServerConfig fromEnvironment(Map<String, String> env) {
        return ServeCommand.config(Options.parse(List.of(), env, List.of("hello", "help")), env);
    }

    /** The {@link ServerConfig} that {@code serve ARGS} builds, as a container's args would give. */
    public static ServerConfig fromArguments(List<String> args, Map<String, String> env) {
        return ServeCommand.config(Options.parse(args, env, List.of("hello", "help")), env);
    }
}

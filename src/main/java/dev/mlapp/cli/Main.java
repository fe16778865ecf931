package dev.mlapp.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code ./ml-app [COMMAND] [OPTIONS]}. With no command, or with options only, it serves.
 */
public final class Main {

    static final String USAGE = """
            Usage: ./ml-app [COMMAND] [OPTIONS]

            Commands:
              serve      serve the model over HTTP (default)
              infer      run the model on a .npy tensor and write the output as .npy
              export     write the model as a TensorFlow SavedModel (for TensorFlow Serving, KServe)
              bench      measure raw and end-to-end throughput and latency
              size       recommend a replica's CPU and memory requests and limits, measured under load
              loadtest   send load to a URL and show how it spreads across pods
              monitor    watch the app's pods: replicas, CPU and memory, per-pod metrics

            Run './ml-app COMMAND --help' for the options of one command.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        try {
            Logging.configure(System.getenv(), System.err);
        } catch (UsageException e) {
            System.err.println("ml-app: " + e.getMessage() + ".");
            System.exit(ExitStatus.USAGE.code());
        }
        System.exit(run(Arrays.asList(args), System.getenv()).code());
    }

    /** Runs one command; returns instead of exiting, so tests can call it. */
    public static ExitStatus run(List<String> args, Map<String, String> env) {
        if (!args.isEmpty() && List.of("--help", "-h", "help").contains(args.get(0))) {
            // The commands first, then the default command's options: most people run serve.
            System.out.print(USAGE + "\n" + ServeCommand.HELP);
            return ExitStatus.OK;
        }
        String command = args.isEmpty() || args.get(0).startsWith("-") ? "serve" : args.get(0);
        List<String> rest = args.isEmpty() || args.get(0).startsWith("-") ? args : args.subList(1, args.size());
        try {
            return switch (command) {
                case "serve" -> ServeCommand.run(rest, env);
                case "infer" -> InferCommand.run(rest, env);
                case "loadtest" -> LoadTestCommand.run(rest, env);
                case "monitor" -> MonitorCommand.run(rest, env);
                case "bench" -> BenchCommand.run(rest, env);
                case "size" -> SizeCommand.run(rest, env);
                case "export" -> ExportCommand.run(rest, env);
                default -> throw new UsageException("unknown command '" + command + "'");
            };
        } catch (UsageException e) {
            String message = e.getMessage();
            System.err.println("ml-app: " + message + (message.endsWith(".") ? "" : "."));
            System.err.println("Run './ml-app " + (command.equals("serve") ? "" : command + " ")
                    + "--help' for the commands and options.");
            return ExitStatus.USAGE;
        }
    }
}

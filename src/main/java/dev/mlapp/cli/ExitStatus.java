package dev.mlapp.cli;

/** Process exit statuses of every subcommand. */
public enum ExitStatus {
    /** The command did what was asked. */
    OK(0),
    /** The command ran and failed (model would not load, server unreachable, test thresholds missed…). */
    FAILURE(1),
    /** The command line was wrong; usage was printed. */
    USAGE(2);

    private final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}

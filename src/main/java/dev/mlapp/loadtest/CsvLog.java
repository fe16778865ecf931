package dev.mlapp.loadtest;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/** The per-request log of {@code loadtest --csv}: one row per request, times in milliseconds since the start. */
public final class CsvLog {

    static final String HEADER = "index,intended_ms,sent_ms,done_ms,latency_ms,outcome,status,pod,new_connection,error";

    private CsvLog() {
    }

    public static void write(LoadRun run, Writer out) throws IOException {
        out.write(HEADER);
        out.write('\n');
        for (Sample s : run.samples()) {
            out.write(String.format(Locale.ROOT, "%d,%.3f,%.3f,%.3f,%.3f,%s,%d,%s,%b,%s%n", s.index(),
                    s.intendedNanos() / 1e6, s.sentNanos() / 1e6, s.doneNanos() / 1e6, s.latencyNanos() / 1e6,
                    s.outcome().name().toLowerCase(Locale.ROOT), s.status(), quote(s.podName()), s.newConnection(),
                    quote(s.error())));
        }
    }

    private static String quote(String value) {
        if (value == null) {
            return "";
        }
        if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
            return '"' + value.replace("\"", "\"\"").replace("\n", " ") + '"';
        }
        return value;
    }
}

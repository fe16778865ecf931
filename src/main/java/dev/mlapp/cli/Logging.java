package dev.mlapp.cli;

import com.google.gson.Gson;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The process's logging, set from the environment before anything logs (so it also covers what the command line
 * would configure): one line per record on stderr, ml-app's own at INFO, libraries (jHDF, Prometheus…) at WARNING.
 * <ul>
 *   <li>{@code LOG_LEVEL}: {@code info} (default), {@code debug} (everything, libraries included), {@code warn}.</li>
 *   <li>{@code LOG_FORMAT}: {@code text} (default) or {@code json}, one JSON object per line.</li>
 *   <li>{@code ACCESS_LOG}: the share of requests with an access line, {@code 0} (default: none) to {@code 1}
 *       (all); server errors (5xx) always have one while it is on.</li>
 * </ul>
 */
public final class Logging {

    /** The access log's logger: one record per request, its fields as a {@code Map} parameter. */
    public static final String ACCESS = "dev.mlapp.access";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Gson GSON = new Gson();
    /** java.util.logging holds loggers weakly: one collected would come back without the level set here. */
    private static final java.util.List<Logger> CONFIGURED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Logging() {
    }

    /** Configures the root handler and levels; a wrong value is a usage error, as a wrong flag is. */
    public static void configure(Map<String, String> env, PrintStream out) {
        String level = env.getOrDefault("LOG_LEVEL", "info").trim().toLowerCase(Locale.ROOT);
        String format = env.getOrDefault("LOG_FORMAT", "text").trim().toLowerCase(Locale.ROOT);
        double accessShare = accessShare(env.getOrDefault("ACCESS_LOG", "0").trim());
        Level own = switch (level) {
            case "info", "" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "warn", "warning" -> Level.WARNING;
            default -> throw new UsageException("LOG_LEVEL wants info, debug or warn, not '" + level + "'");
        };
        Formatter formatter = switch (format) {
            case "text", "" -> new TextFormat();
            case "json" -> new JsonFormat();
            default -> throw new UsageException("LOG_FORMAT wants text or json, not '" + format + "'");
        };
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        // Libraries speak up only about problems, unless asked: jHDF alone logs every dataset it reads at INFO.
        root.setLevel(own == Level.FINE ? Level.FINE : Level.WARNING);
        Logger app = Logger.getLogger("dev.mlapp");
        app.setLevel(own);
        // jHDF warns about slack bytes inside HDF5 messages ("buffer still has N bytes remaining") in files every
        // Keras version writes; what does matter from it arrives as an exception.
        Logger jhdf = Logger.getLogger("io.jhdf");
        jhdf.setLevel(own == Level.FINE ? Level.FINE : Level.SEVERE);
        Logger access = Logger.getLogger(ACCESS);
        CONFIGURED.clear();
        CONFIGURED.addAll(java.util.List.of(root, app, jhdf, access));
        access.setLevel(accessShare > 0 ? Level.INFO : Level.OFF);
        // Set either way: a logger keeps its filter through LogManager.reset(), and an earlier configure's would stay.
        access.setFilter(accessShare < 1
                ? r -> ThreadLocalRandom.current().nextDouble() < accessShare || isServerError(r) : null);
        Handler handler = new StreamHandler(out, formatter) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    private static double accessShare(String value) {
        try {
            double share = Double.parseDouble(value);
            if (share >= 0 && share <= 1) {
                return share;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("ACCESS_LOG wants the share of requests to log, from 0 (none) to 1 (all), not '"
                + value + "'");
    }

    private static boolean isServerError(LogRecord record) {
        return fields(record).get("status") instanceof Integer status && status >= 500;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters != null && parameters.length == 1 && parameters[0] instanceof Map<?, ?> map
                ? (Map<String, Object>) map : Map.of();
    }

    private static String message(LogRecord record) {
        String message = record.getMessage();
        if (record.getThrown() != null) {
            message += ": " + record.getThrown();
        }
        return message;
    }

    /** {@code 2026-12-01T22:04:08.890Z INFO message key=value…} (the logger's name only for libraries). */
    static final class TextFormat extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(TIME.format(record.getInstant())).append(' ')
                    .append(levelName(record.getLevel())).append(' ');
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            if (!logger.startsWith("dev.mlapp")) {
                line.append(logger).append(": ");
            }
            line.append(message(record));
            fields(record).forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
            return line.append(System.lineSeparator()).toString();
        }
    }

    /** One JSON object per line: {@code time}, {@code level}, {@code logger}, {@code message}, and any fields. */
    static final class JsonFormat extends Formatter {
        @Override
        public String format(LogRecord record) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", TIME.format(record.getInstant()));
            line.put("level", levelName(record.getLevel()));
            line.put("logger", record.getLoggerName());
            line.put("message", message(record));
            line.putAll(fields(record));
            return GSON.toJson(line) + System.lineSeparator();
        }
    }

    private static String levelName(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (level.intValue() >= Level.WARNING.intValue()) {
            return "WARN";
        } else if (level.intValue() >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }
}

package dev.mlapp.cli;

import dev.mlapp.inference.EngineOptions;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.ServeSettings;
import dev.mlapp.serve.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The inference engine's settings ({@link Setting.Group#ENGINE} of {@code serve}'s table), shared by {@code bench}
 * and {@code size} so that they are tuned the same way. Unset knobs keep {@link EngineOptions#DEFAULTS}, which are
 * sized from the container's CPU limit.
 */
final class EngineFlags {

    private static final List<Setting<?>> SETTINGS = ServeSettings.of(Setting.Group.ENGINE);

    static final List<String> FLAGS = ServeSettings.flags(SETTINGS);

    static final String HELP = ServeSettings.help(SETTINGS);

    private EngineFlags() {
    }

    static Duration calibrationBudget(Options options) {
        return read(options).get(ServeSettings.CALIBRATION_BUDGET);
    }

    static EngineOptions parse(Options options) {
        try {
            return read(options).engine();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static ServeConfig read(Options options) {
        try {
            return ServeConfig.read(options::get, SETTINGS);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

package dev.mlapp.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.http.ServerConfig;
import dev.mlapp.inference.EngineOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The settings table read as serve reads it: the flag, else the variable, else the default. */
class ServeConfigTest {

    /** Flags (by name) over variables, as {@code cli.Options} looks them up. */
    private static ServeConfig read(Map<String, String> flags, Map<String, String> env) {
        return ServeConfig.read((flag, var) -> Optional.ofNullable(flags.get(flag))
                .or(() -> Optional.ofNullable(var == null ? null : env.get(var))));
    }

    @Test
    void nothingSetIsEveryDefault() {
        ServeConfig config = read(Map.of(), Map.of());
        assertEquals(new ServerConfig("0.0.0.0", 5000, null, false, 10L * 1024 * 1024, Duration.ZERO,
                Duration.ofSeconds(20), 0), config.server());
        assertEquals(EngineOptions.DEFAULTS, config.engine());
        assertEquals(Duration.ofSeconds(2), config.get(ServeSettings.CALIBRATION_BUDGET));
        assertNull(config.classifier().modelPath());
    }

    @Test
    void theFlagWinsOverItsVariable() {
        ServeConfig config = read(Map.of("port", "5102"), Map.of("PORT", "6000", "MODEL_PATH", "m.keras",
                "QUEUE_CAPACITY", "12"));
        assertEquals(5102, config.server().port());
        assertEquals(Path.of("m.keras"), config.classifier().modelPath());
        assertEquals(12, config.engine().queueCapacity());
        assertEquals(12, config.classifier().engine().queueCapacity(), "one engine for every group");
    }

    @Test
    void helloIsAFlagAModeOrAVariable() {
        assertTrue(read(Map.of("hello", "true"), Map.of()).server().helloOnly());
        assertTrue(read(Map.of("mode", "hello"), Map.of()).server().helloOnly());
        assertTrue(read(Map.of(), Map.of("APP_MODE", "HELLO")).server().helloOnly());
        assertFalse(read(Map.of("mode", "ml"), Map.of("APP_MODE", "hello")).server().helloOnly(), "the flag wins");
        assertFalse(read(Map.of(), Map.of("APP_MODE", "ml")).server().helloOnly());
    }

    @Test
    void aBadValueIsNamedByItsFlag() {
        assertEquals("--port wants a whole number, not 'x'",
                assertThrows(IllegalArgumentException.class, () -> read(Map.of(), Map.of("PORT", "x"))).getMessage());
        assertEquals("--calibration-budget must not be negative", assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("calibration-budget", "-1s"), Map.of())).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("workers", "0"), Map.of()).engine()).getMessage().startsWith("engine options:"));
    }

    @Test
    void everyFlagAndVariableIsDeclaredOnce() {
        Set<String> names = new HashSet<>();
        for (Setting<?> setting : ServeSettings.ALL) {
            assertTrue(names.add("--" + setting.flag()), "--" + setting.flag() + " twice");
            assertTrue(names.add(setting.env()), setting.env() + " twice");
            assertFalse(setting.help().isBlank() || setting.defaultText().isBlank(), setting.flag());
        }
    }

    @Test
    void withEngineSetsEveryEngineSetting() {
        EngineOptions engine = new EngineOptions(1, 3, 7, 9, Duration.ofSeconds(4), 1, 1, Duration.ofMillis(5));
        assertEquals(engine, ServeConfig.loopback().withEngine(engine).engine());
    }
}

package dev.mlapp.serve;

import java.time.Duration;

/** Durations as people type them: {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
public final class Durations {

    private Durations() {
    }

    /** @throws IllegalArgumentException naming {@code --flag} and the value, when it is not a duration */
    public static Duration parse(String flag, String value) {
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            char unit = value.charAt(value.length() - 1);
            String number = Character.isDigit(unit) ? value : value.substring(0, value.length() - 1);
            double amount = Double.parseDouble(number);
            double seconds = switch (unit) {
                case 'h' -> amount * 3600;
                case 'm' -> amount * 60;
                case 's' -> amount;
                default -> {
                    if (!Character.isDigit(unit)) {
                        throw new NumberFormatException();
                    }
                    yield amount;
                }
            };
            return Duration.ofNanos((long) (seconds * 1e9));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--" + flag + " wants a duration like 500ms, 30s or 2m, not '" + value
                    + "'", e);
        }
    }
}

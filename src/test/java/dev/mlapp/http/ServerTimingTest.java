package dev.mlapp.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Server-Timing header's durations, written digit by digit, read as {@code %.3f} of the milliseconds prints. */
class ServerTimingTest {

    @Test
    void millisecondsWithThreeDecimalsAsFormatPrintsThem() {
        long[] edges = {0, 1, 499, 500, 999, 1_000, 9_500, 10_000, 99_999, 100_000, 999_499, 999_500, 1_000_000,
                1_234_567, 12_345_678_901L};
        for (long nanos : edges) {
            assertSame(nanos);
        }
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            assertSame(random.nextLong(5_000_000_000L));
        }
    }

    private static void assertSame(long nanos) {
        // Whole microseconds and a half: the cases where rounding a double and rounding the integer could differ.
        String expected = String.format(Locale.ROOT, "%.3f", nanos / 1000 / 1e3 + (nanos % 1000 >= 500 ? 0.001 : 0));
        assertEquals(expected, PredictHandlers.appendMillis(new StringBuilder(), nanos).toString(), nanos + " ns");
    }
}

package dev.mlapp.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Reference values from scipy.stats.chi2 (SciPy 1.x) and closed forms. */
class ChiSquareTest {

    @Test
    void survivalMatchesTheTextbookCriticalValues() {
        assertEquals(0.05, ChiSquare.survival(3.841458820694124, 1), 1e-12);
        assertEquals(0.05, ChiSquare.survival(9.487729036781154, 4), 1e-12);
    }

    @Test
    void survivalMatchesScipyAcrossTheRange() {
        assertEquals(4.894437128029217e-06, ChiSquare.survival(30, 4), 1e-17);
        assertEquals(0.9994464813904249, ChiSquare.survival(0.5, 7), 1e-12);
        assertEquals(0.009379131668826098, ChiSquare.survival(250, 200), 1e-12);
        assertEquals(0.31731050786291415, ChiSquare.survival(1, 1), 1e-12);
    }

    @Test
    void twoDegreesOfFreedomIsAnExponential() {
        for (double x : new double[] {0.1, 1, 5, 20, 80}) {
            assertEquals(Math.exp(-x / 2), ChiSquare.survival(x, 2), Math.exp(-x / 2) * 1e-10);
        }
    }

    @Test
    void logGammaMatchesFactorialsAndTheHalfIntegerValue() {
        assertEquals(Math.log(362880), Gamma.logGamma(10), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), Gamma.logGamma(0.5), 1e-12);
        assertEquals(0, Gamma.logGamma(1), 1e-12);
    }

    @Test
    void evenCountsGiveZeroStatisticAndPValueOne() {
        ChiSquare test = ChiSquare.evenness(new long[] {200, 200, 200, 200, 200});
        assertEquals(0, test.statistic(), 0);
        assertEquals(4, test.degreesOfFreedom());
        assertEquals(1, test.pValue(), 1e-12);
    }

    @Test
    void unevenCountsGiveTheHandComputedStatistic() {
        // expected 20 each: (10-20)²/20 + 0 + (30-20)²/20 = 10; with 2 degrees of freedom p = e^-5
        ChiSquare test = ChiSquare.evenness(new long[] {10, 20, 30});
        assertEquals(10, test.statistic(), 1e-12);
        assertEquals(Math.exp(-5), test.pValue(), 1e-14);
    }

    @Test
    void allTrafficOnOnePodOfFiveIsRejectedOutright() {
        ChiSquare test = ChiSquare.evenness(new long[] {1000, 0, 0, 0, 0});
        assertEquals(4000, test.statistic(), 1e-9);
        assertEquals(0, test.pValue(), 1e-300);
    }

    @Test
    void refusesDegenerateInput() {
        assertThrows(IllegalArgumentException.class, () -> ChiSquare.evenness(new long[] {5}));
        assertThrows(IllegalArgumentException.class, () -> ChiSquare.evenness(new long[] {0, 0}));
    }
}

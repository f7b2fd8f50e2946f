package io.insa.iiot.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The predict endpoint's forecast on series whose answer is known. */
class ForecastTest {

    @Test
    void aDailyCycleIsFoundAndForecastWithinItsInterval() {
        Random random = new Random(3);
        double[] values = new double[1_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = cycle(i) + random.nextGaussian() * 0.3;
        }
        Forecast.Outlook outlook = Forecast.predict(values, 10);
        assertThat(outlook.period()).isBetween(286, 290);
        for (int h = 1; h <= 10; h++) {
            assertThat(outlook.forecast()[h - 1]).isCloseTo(cycle(999 + h), within(1.5));
            assertThat(outlook.lower()[h - 1]).isLessThan(outlook.forecast()[h - 1]);
            assertThat(outlook.upper()[h - 1]).isGreaterThan(outlook.forecast()[h - 1]);
        }
    }

    @Test
    void aSeriesWithoutACycleHasNoPeriodAndAnIntervalThatWidensWithTheHorizon() {
        Random random = new Random(4);
        double[] walk = new double[600];
        for (int i = 1; i < walk.length; i++) {
            walk[i] = walk[i - 1] + random.nextGaussian();
        }
        Forecast.Outlook outlook = Forecast.predict(walk, 10);
        assertThat(outlook.period()).isZero();
        assertThat(outlook.upper()[9] - outlook.lower()[9]).isGreaterThan(outlook.upper()[0] - outlook.lower()[0]);
    }

    @Test
    void aConstantSeriesIsForecastAsItself() {
        double[] flat = new double[100];
        java.util.Arrays.fill(flat, 7);
        Forecast.Outlook outlook = Forecast.predict(flat, 3);
        assertThat(outlook.forecast()).containsExactly(7, 7, 7);
        assertThat(outlook.period()).isZero();
    }

    private static double cycle(int i) {
        return 20 + 10 * Math.sin(2 * Math.PI * i / 288);
    }
}

package io.insa.iiot.analytics;

import java.util.List;

/**
 * The forecast of the predict endpoint. The period of the values (a daily or weekly cycle, in values) is
 * found from their autocorrelation; where there is one, the forecast is the recent level plus the
 * seasonal profile averaged over the cycles seen, plus today's deviation from it fading by
 * {@value #PERSISTENCE} a step. Where there is none, Holt's exponential smoothing with a damped trend
 * (level {@value #LEVEL}, trend {@value #TREND}, damping {@value #DAMPING}). Both come with an
 * approximate 95 % prediction interval from their own in-sample errors. Its error on NAB, next to the
 * naive and seasonal-naive forecasts, is in docs/analytics.md.
 */
final class Forecast {

    static final double LEVEL = 0.8;
    static final double TREND = 0.05;
    static final double DAMPING = 0.8;
    /** How much of the latest deviation from the seasonal profile is left one step later. */
    static final double PERSISTENCE = 0.9;
    /** The least autocorrelation at a lag for it to count as the series' period. */
    static final double SEASONAL = 0.5;

    private static final double Z95 = 1.96;

    /** The forecast, its interval (lower and upper bounds of each step) and the period found (0: none). */
    record Outlook(double[] forecast, double[] lower, double[] upper, int period) {}

    private Forecast() {}

    static Outlook predict(List<Double> values, int horizon) {
        double[] y = new double[values.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = values.get(i);
        }
        return predict(y, horizon);
    }

    static Outlook predict(double[] y, int horizon) {
        int period = period(y);
        return period > 0 ? seasonal(y, period, horizon) : holt(y, horizon);
    }

    /**
     * The lag of highest autocorrelation, if it is at least {@value #SEASONAL} and at least two cycles
     * were seen; else 0. Only a peak counts (higher than the lags beside it), so that the slow decay of a
     * smooth series' autocorrelation at short lags is not taken for a cycle.
     */
    static int period(double[] y) {
        int n = y.length;
        if (n < 8) {
            return 0;
        }
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= n;
        double variance = 0;
        for (double v : y) {
            variance += (v - mean) * (v - mean);
        }
        if (variance == 0) {
            return 0;
        }
        int maxLag = n / 2;
        double[] acf = new double[maxLag + 2];
        for (int lag = 1; lag <= Math.min(maxLag + 1, n - 1); lag++) {
            double sum = 0;
            for (int i = lag; i < n; i++) {
                sum += (y[i] - mean) * (y[i - lag] - mean);
            }
            acf[lag] = sum / variance;
        }
        int best = 0;
        double bestAcf = SEASONAL;
        for (int lag = 2; lag <= maxLag; lag++) {
            if (acf[lag] >= bestAcf && acf[lag] > acf[lag - 1] && acf[lag] >= acf[lag + 1]) {
                best = lag;
                bestAcf = acf[lag];
            }
        }
        return best;
    }

    static Outlook seasonal(double[] y, int period, int horizon) {
        int n = y.length;
        int cycles = n / period;
        int start = n - cycles * period;
        // the profile: each phase's mean deviation from its cycle's mean, over the whole cycles seen
        double[] profile = new double[period];
        for (int c = 0; c < cycles; c++) {
            int from = start + c * period;
            double cycleMean = 0;
            for (int j = 0; j < period; j++) {
                cycleMean += y[from + j];
            }
            cycleMean /= period;
            for (int j = 0; j < period; j++) {
                profile[(from + j) % period] += (y[from + j] - cycleMean) / cycles;
            }
        }
        double level = 0;
        for (int i = n - period; i < n; i++) {
            level += y[i];
        }
        level /= period;
        // the spread of the deviations from level + profile over the last cycle sets the interval
        double squares = 0;
        for (int i = n - period; i < n; i++) {
            double deviation = y[i] - level - profile[i % period];
            squares += deviation * deviation;
        }
        double spread = Math.sqrt(squares / period);
        double deviation = y[n - 1] - level - profile[(n - 1) % period];
        double[] forecast = new double[horizon];
        double[] lower = new double[horizon];
        double[] upper = new double[horizon];
        double fading = 1;
        for (int h = 1; h <= horizon; h++) {
            fading *= PERSISTENCE;
            forecast[h - 1] = level + profile[(n - 1 + h) % period] + deviation * fading;
            // a deviation that persists as an AR(1): its h-step error variance is spread^2 (1 - phi^2h)
            double width = Z95 * spread * Math.sqrt(1 - fading * fading);
            lower[h - 1] = forecast[h - 1] - width;
            upper[h - 1] = forecast[h - 1] + width;
        }
        return new Outlook(forecast, lower, upper, period);
    }

    static Outlook holt(double[] y, int horizon) {
        if (y.length == 0) {
            return new Outlook(new double[0], new double[0], new double[0], 0);
        }
        double level = y[0];
        double trend = 0;
        double squares = 0;
        for (int i = 1; i < y.length; i++) {
            double expected = level + DAMPING * trend;
            squares += (y[i] - expected) * (y[i] - expected);
            double previous = level;
            level = LEVEL * y[i] + (1 - LEVEL) * expected;
            trend = TREND * (level - previous) + (1 - TREND) * DAMPING * trend;
        }
        double oneStep = y.length > 1 ? Math.sqrt(squares / (y.length - 1)) : 0;
        double[] forecast = new double[horizon];
        double[] lower = new double[horizon];
        double[] upper = new double[horizon];
        double damped = 0;
        double factor = 1;
        for (int h = 1; h <= horizon; h++) {
            factor *= DAMPING;
            damped += factor;
            forecast[h - 1] = level + damped * trend;
            // errors of a level that moves like a random walk grow with the square root of the horizon
            double width = Z95 * oneStep * Math.sqrt(h);
            lower[h - 1] = forecast[h - 1] - width;
            upper[h - 1] = forecast[h - 1] + width;
        }
        return new Outlook(forecast, lower, upper, 0);
    }
}

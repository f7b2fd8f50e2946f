package io.insa.iiot.analytics;

import java.util.List;

/**
 * The forecast of the predict endpoint: Holt's linear exponential smoothing (a level and a trend,
 * smoothed with {@value #LEVEL} and {@value #TREND}), extrapolated {@code horizon} steps. Its
 * one-step error on the NAB developer files is in docs/analytics.md.
 */
final class Forecast {

    static final double LEVEL = 0.5;
    static final double TREND = 0.1;

    private Forecast() {}

    static double[] holt(List<Double> values, int horizon) {
        if (values.isEmpty()) {
            return new double[0];
        }
        double level = values.get(0);
        double trend = values.size() > 1 ? values.get(1) - values.get(0) : 0;
        for (int i = 1; i < values.size(); i++) {
            double previous = level;
            level = LEVEL * values.get(i) + (1 - LEVEL) * (level + trend);
            trend = TREND * (level - previous) + (1 - TREND) * trend;
        }
        double[] forecast = new double[horizon];
        for (int h = 1; h <= horizon; h++) {
            forecast[h - 1] = level + h * trend;
        }
        return forecast;
    }
}

package io.insa.iiot.analytics;

import java.util.List;

/**
 * The forecast of the predict endpoint: Holt's exponential smoothing with a damped trend (level smoothed
 * with {@value #LEVEL}, trend with {@value #TREND}, damped by {@value #DAMPING} a step), so that a
 * short slope is not extrapolated for ever. Its error on the NAB developer files is in
 * docs/analytics.md.
 */
final class Forecast {

    static final double LEVEL = 0.8;
    static final double TREND = 0.05;
    static final double DAMPING = 0.8;

    private Forecast() {}

    static double[] holt(List<Double> values, int horizon) {
        if (values.isEmpty()) {
            return new double[0];
        }
        double level = values.get(0);
        double trend = 0;
        for (int i = 1; i < values.size(); i++) {
            double previous = level;
            level = LEVEL * values.get(i) + (1 - LEVEL) * (level + DAMPING * trend);
            trend = TREND * (level - previous) + (1 - TREND) * DAMPING * trend;
        }
        double[] forecast = new double[horizon];
        double damped = 0;
        double factor = 1;
        for (int h = 1; h <= horizon; h++) {
            factor *= DAMPING;
            damped += factor;
            forecast[h - 1] = level + damped * trend;
        }
        return forecast;
    }
}

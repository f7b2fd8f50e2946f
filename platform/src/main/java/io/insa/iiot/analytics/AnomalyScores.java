package io.insa.iiot.analytics;

/** Where anomaly scores live: a telemetry series beside the scored one, so charts and rules use them. */
public final class AnomalyScores {

    public static final String SUFFIX = ".anomaly_score";

    private AnomalyScores() {}

    /** The score series of a key: {@code temperature} -> {@code temperature.anomaly_score}. */
    public static String seriesOf(String key) {
        return key + SUFFIX;
    }

    public static boolean isScoreSeries(String key) {
        return key.endsWith(SUFFIX);
    }
}

package io.insa.iiot.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming detector on series whose answer is known. */
class AnomalyDetectorTest {

    @Test
    void aFlatLineScoresZero() {
        AnomalyDetector detector = new AnomalyDetector();
        for (int i = 0; i < 5_000; i++) {
            assertThat(detector.score(42.0)).isZero();
        }
    }

    @Test
    void aNoisyDailyCycleStaysBelowTheThresholdAndASpikeAfterTheWarmupIsAnomalous() {
        AnomalyDetector detector = new AnomalyDetector();
        Random random = new Random(7);
        double highest = 0;
        for (int i = 0; i < 4_000; i++) {
            double score = detector.score(cycle(i) + random.nextGaussian() * 0.5);
            if (i > 1_000) {
                highest = Math.max(highest, score);
            }
        }
        assertThat(highest).as("normal after learning").isLessThan(AnomalyDetector.THRESHOLD);
        double spike = detector.score(cycle(4_000) + 60);
        assertThat(spike).as("a spike far outside what was seen").isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void nothingIsScoredDuringTheWarmup() {
        AnomalyDetector detector = new AnomalyDetector();
        Random random = new Random(1);
        for (int i = 0; i < AnomalyDetector.DEFAULTS.warmup(); i++) {
            assertThat(detector.score(random.nextDouble() * (i % 50 == 0 ? 1000 : 1)))
                    .isZero();
        }
    }

    @Test
    void oneAnomalyIsOneDetectionFollowedByAQuietPeriod() {
        AnomalyDetector detector = new AnomalyDetector();
        for (int i = 0; i < 2_000; i++) {
            detector.score(cycle(i));
        }
        int detections = 0;
        for (int i = 0; i < 50; i++) {
            detections += detector.score(cycle(2_000 + i) + 40) >= AnomalyDetector.THRESHOLD ? 1 : 0;
        }
        assertThat(detections).isEqualTo(1);
    }

    @Test
    void theModelStaysTheSameSizeOverAHundredThousandValues() {
        AnomalyDetector detector = new AnomalyDetector();
        Random random = new Random(3);
        for (int i = 0; i < 1_000; i++) {
            detector.score(random.nextGaussian() * 10 + i * 0.01);
        }
        int early = detector.checkpoint().length;
        for (int i = 1_000; i < 100_000; i++) {
            detector.score(random.nextGaussian() * 10 + i * 0.01 + (i % 977 == 0 ? 200 : 0));
        }
        assertThat(detector.checkpoint().length)
                .isLessThanOrEqualTo(AnomalyDetector.checkpointSize(AnomalyDetector.DEFAULTS))
                .isGreaterThanOrEqualTo(early);
        assertThat(AnomalyDetector.checkpointSize(AnomalyDetector.DEFAULTS)).isLessThan(2_000);
    }

    @Test
    void aRestoredModelGoesOnExactlyWhereTheCheckpointWasTaken() {
        AnomalyDetector original = new AnomalyDetector();
        Random random = new Random(5);
        double[] series = new double[6_000];
        for (int i = 0; i < series.length; i++) {
            series[i] = cycle(i) + random.nextGaussian() + (i == 5_000 ? 50 : 0);
        }
        for (int i = 0; i < 3_000; i++) {
            original.score(series[i]);
        }
        AnomalyDetector restored = AnomalyDetector.restore(AnomalyDetector.DEFAULTS, original.checkpoint());
        assertThat(restored.seen()).isEqualTo(3_000);
        for (int i = 3_000; i < series.length; i++) {
            assertThat(restored.score(series[i])).as("value %d", i).isEqualTo(original.score(series[i]));
        }
    }

    @Test
    void theFirstHalfOfASeriesScoresAsInTheWholeSeries() {
        Random random = new Random(9);
        double[] series = new double[8_000];
        for (int i = 0; i < series.length; i++) {
            series[i] = cycle(i) + random.nextGaussian() + (i > 3_000 && i < 3_050 ? 15 : 0) + (i > 6_000 ? 8 : 0);
        }
        AnomalyDetector whole = new AnomalyDetector();
        double[] wholeScores = new double[series.length];
        for (int i = 0; i < series.length; i++) {
            wholeScores[i] = whole.score(series[i]);
        }
        AnomalyDetector half = new AnomalyDetector();
        for (int i = 0; i < series.length / 2; i++) {
            assertThat(half.score(series[i])).as("value %d", i).isEqualTo(wholeScores[i]);
        }
        assertThat(Arrays.stream(wholeScores).anyMatch(s -> s >= AnomalyDetector.THRESHOLD))
                .as("the series has anomalies to score")
                .isTrue();
    }

    @Test
    void aCheckpointOfAnEarlierModelStartsTheSeriesOver() {
        byte[] earlier = {1, 0, 0, 0, 0, 0, 0, 0, 7};
        AnomalyDetector detector = AnomalyDetector.restore(AnomalyDetector.DEFAULTS, earlier);
        assertThat(detector.seen()).isZero();
        assertThat(detector.score(1.0)).isZero();
    }

    private static double cycle(int i) {
        return 20 + 10 * Math.sin(2 * Math.PI * i / 288);
    }
}

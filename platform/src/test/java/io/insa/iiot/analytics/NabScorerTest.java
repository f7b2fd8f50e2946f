package io.insa.iiot.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insa.iiot.analytics.NabScorer.Profile;
import io.insa.iiot.analytics.NabScorer.Series;
import io.insa.iiot.analytics.NabScorer.Window;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NAB's scoring rules, checked against the null and perfect detectors and cases computed by hand. */
class NabScorerTest {

    /** 100 rows (15 probationary), one window over rows 40..49. */
    private static final List<Window> ONE_WINDOW = List.of(new Window(40, 49));

    @Test
    void theNullDetectorScoresZeroInEveryProfile() {
        List<Series> set = List.of(
                new Series("a", ONE_WINDOW, new double[100]),
                new Series("b", List.of(new Window(50, 59), new Window(80, 89)), new double[100]),
                new Series("quiet", List.of(), new double[100]));
        for (Profile profile : Profile.ALL) {
            NabScorer.Result result = NabScorer.score(set, profile);
            assertThat(result.normalized()).as(profile.name()).isZero();
            assertThat(result.raw()).isEqualTo(-3 * profile.falseNegative());
        }
    }

    @Test
    void anAlarmOnTheFirstRowOfEveryWindowAndNowhereElseScoresOneHundred() {
        double[] a = new double[100];
        a[40] = 1;
        double[] b = new double[100];
        b[50] = 1;
        b[80] = 1;
        List<Series> set = List.of(
                new Series("a", ONE_WINDOW, a),
                new Series("b", List.of(new Window(50, 59), new Window(80, 89)), b),
                new Series("quiet", List.of(), new double[100]));
        for (Profile profile : Profile.ALL) {
            assertThat(NabScorer.score(set, profile).normalized())
                    .as(profile.name())
                    .isCloseTo(100, within(1e-9));
        }
    }

    @Test
    void aSmallCaseComputedByHand() {
        double[] scores = new double[100];
        scores[10] = 0.9; // probationary: neither rewarded nor penalised
        scores[20] = 0.9; // before any window: -A_FP
        scores[45] = 0.9; // inside: A_TP f(-0.5) / f(-1) = 0.859793
        scores[47] = 0.9; // a second alarm in the same window adds nothing
        scores[60] = 0.9; // 11 rows after a window of 10: A_FP f(11 / 9) = -0.109512 (standard)
        Series file = new Series("hand", ONE_WINDOW, scores);

        assertThat(NabScorer.raw(file, Profile.STANDARD, 0.5)).isCloseTo(0.640279, within(1e-5));
        assertThat(NabScorer.score(List.of(file), Profile.STANDARD).normalized())
                .isCloseTo(82.0140, within(1e-3));
        assertThat(NabScorer.score(List.of(file), Profile.LOW_FN).normalized()).isCloseTo(88.0093, within(1e-3));
        assertThat(NabScorer.score(List.of(file), Profile.LOW_FP).normalized()).isCloseTo(71.0383, within(1e-3));
        assertThat(NabScorer.raw(file, Profile.STANDARD, 1.0))
                .as("no alarm: a missed window")
                .isEqualTo(-1);
    }

    @Test
    void weightsFollowTheScaledSigmoid() {
        double[] weight = NabScorer.weights(100, ONE_WINDOW, Profile.STANDARD);
        assertThat(weight[40]).as("first row of a window: A_TP").isCloseTo(1.0, within(1e-12));
        assertThat(weight[49]).as("last row: a quarter").isCloseTo(0.248242, within(1e-5));
        assertThat(weight[30]).as("before any window").isEqualTo(-0.11);
        assertThat(weight[50]).as("just after: almost free").isCloseTo(-0.029793, within(1e-5));
        assertThat(weight[99]).as("more than three widths after").isEqualTo(-0.11);
        assertThat(NabScorer.probationaryRows(100)).isEqualTo(15);
        assertThat(NabScorer.probationaryRows(22695)).isEqualTo(750);
    }

    @Test
    void theThresholdIsTheOneThatMaximisesTheWholeSet() {
        double[] a = new double[100];
        a[42] = 0.8; // the detection
        a[70] = 0.6; // a false alarm with a lower score
        a[90] = 0.7;
        NabScorer.Result result = NabScorer.score(List.of(new Series("a", ONE_WINDOW, a)), Profile.STANDARD);
        assertThat(result.threshold()).isEqualTo(0.8);
        assertThat(result.raw())
                .isCloseTo(NabScorer.raw(new Series("a", ONE_WINDOW, a), Profile.STANDARD, 0.8), within(1e-12));
    }

    @Test
    void publishedRawScoresNormaliseToThePublishedFigures() {
        // ARTime on the 58-file corpus (116 windows): raw 57.661 / 35.157 / 47.661 -> 74.85 / 65.15 / 80.36
        assertThat(NabScorer.normalize(57.661, 116, Profile.STANDARD)).isCloseTo(74.85, within(0.01));
        assertThat(NabScorer.normalize(35.157, 116, Profile.LOW_FP)).isCloseTo(65.15, within(0.01));
        assertThat(NabScorer.normalize(47.661, 116, Profile.LOW_FN)).isCloseTo(80.36, within(0.01));
        assertThat(NabScorer.normalize(-116, 116, Profile.STANDARD)).isZero();
    }

    @Test
    void detectionsCountTheWindowsHitAndTheAlarmsOutsideThemAfterTheProbationaryPeriod() {
        double[] scores = new double[100];
        scores[10] = 1; // probationary: not counted
        scores[42] = 1;
        scores[45] = 1; // the same window again
        scores[70] = 1;
        scores[71] = 0.4; // below the threshold
        assertThat(NabScorer.detections(new Series("a", ONE_WINDOW, scores), 0.5))
                .containsExactly(1, 1);
    }
}

package io.insa.iiot.rules.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.rules.Condition;
import io.insa.iiot.rules.Rule;
import io.insa.iiot.rules.RuleDefinition;
import io.insa.iiot.rules.Severity;
import io.insa.iiot.rules.evaluation.RuleState.Transition;
import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Crafted series through one rule's state: what each point raises or clears, edges included. */
class RuleStateTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void thresholdWithoutDurationFiresAtTheFirstPointBeyondAndClearsAtTheFirstBack() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GT, 80, 0), null);
        assertThat(run(rule, 0, 79.0, 1, 80.0, 2, 80.5, 3, 90.0, 4, 80.0, 5, 81.0))
                .containsExactly("-", "-", "RAISE", "-", "CLEAR", "RAISE");
    }

    @Test
    void greaterOrEqualIncludesTheBound() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GE, 80, 0), null);
        assertThat(run(rule, 0, 80.0, 1, 79.99)).containsExactly("RAISE", "CLEAR");
        Rule below = rule(new Condition.Threshold(Condition.Operator.LE, 10, 0), null);
        assertThat(run(below, 0, 10.0, 1, 10.01)).containsExactly("RAISE", "CLEAR");
    }

    @Test
    void durationCountsDataTimeAndFiresExactlyWhenItHasElapsed() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GT, 80, 10), null);
        // beyond from t=0: t=9.999 s is not yet 10 s, t=10 s is
        List<String> steps = new ArrayList<>();
        RuleState state = RuleState.fresh(rule.updatedAt(), false);
        for (long ms : new long[] {0, 5_000, 9_999, 10_000, 11_000}) {
            RuleState.Step step = state.next(rule, T0.plusMillis(ms), 90.0);
            steps.add(label(step));
            state = step.next();
        }
        assertThat(steps).containsExactly("-", "-", "-", "RAISE", "-");
    }

    @Test
    void aPointBackWithinTheDurationRestartsTheCount() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GT, 80, 10), null);
        assertThat(run(rule, 0, 90.0, 8, 90.0, 9, 70.0, 10, 90.0, 19, 90.0, 20, 90.0))
                .containsExactly("-", "-", "-", "-", "-", "RAISE");
    }

    @Test
    void rangeFiresOutsideTheBoundsOnly() {
        Rule rule = rule(new Condition.Range(10, 20, 0), null);
        assertThat(run(rule, 0, 10.0, 1, 20.0, 2, 20.1, 3, 15.0, 4, 9.9, 5, 9.0, 6, 10.0))
                .containsExactly("-", "-", "RAISE", "CLEAR", "RAISE", "-", "CLEAR");
    }

    @Test
    void rangeWithDuration() {
        Rule rule = rule(new Condition.Range(10, 20, 5), null);
        assertThat(run(rule, 0, 25.0, 4, 25.0, 5, 5.0, 6, 15.0)).containsExactly("-", "-", "RAISE", "CLEAR");
    }

    @Test
    void hysteresisClearsOnlyWhenTheClearConditionHolds() {
        Rule rule = rule(
                new Condition.Threshold(Condition.Operator.GT, 80, 0),
                new Condition.Threshold(Condition.Operator.LT, 70, 0));
        assertThat(run(rule, 0, 85.0, 1, 79.0, 2, 75.0, 3, 70.0, 4, 69.9, 5, 79.0, 6, 81.0))
                .containsExactly("RAISE", "-", "-", "-", "CLEAR", "-", "RAISE");
    }

    @Test
    void aClearConditionWithADurationMustHoldThatLong() {
        Rule rule = rule(
                new Condition.Threshold(Condition.Operator.GT, 80, 0),
                new Condition.Threshold(Condition.Operator.LT, 70, 10));
        assertThat(run(rule, 0, 85.0, 1, 60.0, 10, 60.0, 11, 75.0, 12, 60.0, 21, 60.0, 22, 60.0))
                .containsExactly("RAISE", "-", "-", "-", "-", "-", "CLEAR");
    }

    @Test
    void rateOfChangeComparesWithThePreviousPointPerSecond() {
        Rule rule = rule(new Condition.RateOfChange(5), null);
        // first point: nothing to compare; +10 in 2 s = 5/s is not above; +11 in 2 s is; -1 in 1 s clears
        assertThat(run(rule, 0, 0.0, 2, 10.0, 4, 21.0, 5, 20.0, 6, 0.0))
                .containsExactly("-", "-", "RAISE", "CLEAR", "RAISE");
    }

    @Test
    void pointsOlderThanTheLastEvaluatedAreNotEvaluated() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GT, 80, 0), null);
        assertThat(run(rule, 10, 50.0, 5, 99.0, 10, 99.0, 11, 99.0))
                .containsExactly("-", "OUT_OF_ORDER", "OUT_OF_ORDER", "RAISE");
    }

    @Test
    void aLatePointDoesNotBreakADurationThatIsRunning() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GT, 80, 10), null);
        assertThat(run(rule, 0, 90.0, 6, 90.0, 3, 10.0, 10, 90.0)).containsExactly("-", "-", "OUT_OF_ORDER", "RAISE");
    }

    @Test
    void aStateLoadedAsFiringDoesNotRaiseAgain() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GT, 80, 0), null);
        RuleState restarted = RuleState.fresh(rule.updatedAt(), true);
        RuleState.Step still = restarted.next(rule, T0, 95.0);
        assertThat(still.transition()).isEqualTo(Transition.NONE);
        assertThat(still.next().next(rule, T0.plusSeconds(1), 50.0).transition())
                .as("and the clear is not lost")
                .isEqualTo(Transition.CLEAR);
    }

    @Test
    void noDataRaisesOnceWhenSilentAndClearsWhenDataReturns() {
        RuleState state = RuleState.fresh(T0, false);
        RuleState.Step silent = state.silent();
        assertThat(silent.transition()).isEqualTo(Transition.RAISE);
        assertThat(silent.next().silent().transition()).as("once").isEqualTo(Transition.NONE);
        RuleState.Step back = silent.next().dataSeen(T0.plusSeconds(30));
        assertThat(back.transition()).isEqualTo(Transition.CLEAR);
        assertThat(back.next().dataSeen(T0.plusSeconds(31)).transition()).isEqualTo(Transition.NONE);
        assertThat(back.next().silent().transition()).as("a new episode").isEqualTo(Transition.RAISE);
    }

    @Test
    void onlyTransitionsNeedToBeKept() {
        Rule rule = rule(new Condition.Threshold(Condition.Operator.GT, 80, 10), null);
        RuleState fresh = RuleState.fresh(rule.updatedAt(), false);
        RuleState quiet = fresh.next(rule, T0, 50.0).next();
        assertThat(quiet.sameTransitionsAs(fresh))
                .as("a point below changes nothing to keep")
                .isTrue();
        RuleState pending = quiet.next(rule, T0.plusSeconds(1), 90.0).next();
        assertThat(pending.sameTransitionsAs(quiet))
                .as("a duration that starts is kept")
                .isFalse();
    }

    /** Feeds (second, value) pairs; one label per point: "-", RAISE, CLEAR or OUT_OF_ORDER. */
    private static List<String> run(Rule rule, Object... secondsAndValues) {
        List<String> steps = new ArrayList<>();
        RuleState state = RuleState.fresh(rule.updatedAt(), false);
        for (int i = 0; i < secondsAndValues.length; i += 2) {
            long second = ((Number) secondsAndValues[i]).longValue();
            double value = ((Number) secondsAndValues[i + 1]).doubleValue();
            RuleState.Step step = state.next(rule, T0.plusSeconds(second), value);
            steps.add(label(step));
            state = step.next();
        }
        return steps;
    }

    private static String label(RuleState.Step step) {
        return step.transition() == Transition.NONE ? "-" : step.transition().name();
    }

    private static Rule rule(Condition condition, Condition clear) {
        return new Rule(
                UUID.randomUUID(),
                TenantId.of(UUID.randomUUID()),
                new RuleDefinition(
                        "test",
                        true,
                        Severity.MAJOR,
                        new DeviceScope.All(),
                        "temperature",
                        condition,
                        clear,
                        List.of()),
                T0,
                T0);
    }
}

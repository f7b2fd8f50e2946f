package io.insa.iiot.rules.evaluation;

import io.insa.iiot.rules.Condition;
import io.insa.iiot.rules.Rule;
import java.time.Duration;
import java.time.Instant;

/**
 * What the evaluator remembers of one rule and one device, and how a point moves it on. Immutable: a
 * step returns the next state and what it means for the alert.
 *
 * @param version the rule's {@code updated_at} this state was built under
 * @param firing whether the rule fires for the device (an alert was raised and has not cleared by data)
 * @param conditionSince data time since which the condition has held without a break (while not firing)
 * @param clearSince data time since which the clear condition has held (while firing)
 * @param lastTs the last point evaluated, in data time; older points are not evaluated
 */
record RuleState(
        Instant version, boolean firing, Instant conditionSince, Instant clearSince, Instant lastTs, Double lastValue) {

    /** What a step does to the alert. */
    enum Transition {
        NONE,
        RAISE,
        CLEAR,
        /** the point is not after the last evaluated one: evaluation is in data-time order */
        OUT_OF_ORDER
    }

    record Step(RuleState next, Transition transition) {}

    static RuleState fresh(Instant version, boolean firing) {
        return new RuleState(version, firing, null, null, null, null);
    }

    /** The rule's verdict on one point of its key. */
    Step next(Rule rule, Instant ts, double value) {
        if (lastTs != null && !ts.isAfter(lastTs)) {
            return new Step(this, Transition.OUT_OF_ORDER);
        }
        Condition condition = rule.definition().condition();
        boolean holds = condition.holds(lastTs, lastValue, ts, value);
        if (!firing) {
            if (!holds) {
                return new Step(new RuleState(version, false, null, null, ts, value), Transition.NONE);
            }
            Instant since = conditionSince == null ? ts : conditionSince;
            if (heldFor(since, ts, condition.duration())) {
                return new Step(new RuleState(version, true, null, null, ts, value), Transition.RAISE);
            }
            return new Step(new RuleState(version, false, since, null, ts, value), Transition.NONE);
        }
        Condition clear = rule.definition().clearCondition();
        boolean clears = clear == null ? !holds : clear.holds(lastTs, lastValue, ts, value);
        if (!clears) {
            return new Step(new RuleState(version, true, null, null, ts, value), Transition.NONE);
        }
        Instant since = clearSince == null ? ts : clearSince;
        if (heldFor(since, ts, clear == null ? Duration.ZERO : clear.duration())) {
            return new Step(new RuleState(version, false, null, null, ts, value), Transition.CLEAR);
        }
        return new Step(new RuleState(version, true, null, since, ts, value), Transition.NONE);
    }

    /** Data arrived for a no-data rule: it clears if it fired. */
    Step dataSeen(Instant ts) {
        Instant last = lastTs == null || ts.isAfter(lastTs) ? ts : lastTs;
        return new Step(
                new RuleState(version, false, null, null, last, lastValue),
                firing ? Transition.CLEAR : Transition.NONE);
    }

    /** The scheduler found the key silent for longer than a no-data rule allows. */
    Step silent() {
        return new Step(
                new RuleState(version, true, null, null, lastTs, lastValue),
                firing ? Transition.NONE : Transition.RAISE);
    }

    /** Whether the step changed what must survive a restart (the last point alone does not). */
    boolean sameTransitionsAs(RuleState other) {
        return firing == other.firing
                && java.util.Objects.equals(conditionSince, other.conditionSince)
                && java.util.Objects.equals(clearSince, other.clearSince);
    }

    private static boolean heldFor(Instant since, Instant now, Duration duration) {
        return !Duration.between(since, now).minus(duration).isNegative();
    }
}

package io.insa.iiot.rules;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.time.Instant;

/**
 * When a rule fires (or, as a clear condition, stops firing) for one device, judged point by point in
 * data time (anomaly on the key's anomaly score series). No-data is judged by the scheduler instead.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Condition.Threshold.class, name = "threshold"),
    @JsonSubTypes.Type(value = Condition.Range.class, name = "range"),
    @JsonSubTypes.Type(value = Condition.RateOfChange.class, name = "rate_of_change"),
    @JsonSubTypes.Type(value = Condition.NoData.class, name = "no_data"),
    @JsonSubTypes.Type(value = Condition.Anomaly.class, name = "anomaly"),
    @JsonSubTypes.Type(value = Condition.ClientRpc.class, name = "client_rpc")
})
public sealed interface Condition {

    /**
     * Whether the condition holds at a point, given the device's previous evaluated point (null
     * previous values when there is none).
     */
    boolean holds(Instant previousTs, Double previousValue, Instant ts, double value);

    /** How long, in data time, the condition must hold before it counts. */
    @JsonIgnore
    default Duration duration() {
        return Duration.ZERO;
    }

    /** Whether committed points are judged against it (no-data and anomaly are judged elsewhere). */
    @JsonIgnore
    default boolean judgedOnPoints() {
        return true;
    }

    enum Operator {
        GT(">"),
        GE(">="),
        LT("<"),
        LE("<=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        @JsonValue
        String symbol() {
            return symbol;
        }

        static Operator of(String symbol) {
            for (Operator o : values()) {
                if (o.symbol.equals(symbol)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("must be one of >, >=, <, <=");
        }

        boolean test(double value, double bound) {
            return switch (this) {
                case GT -> value > bound;
                case GE -> value >= bound;
                case LT -> value < bound;
                case LE -> value <= bound;
            };
        }
    }

    record Threshold(Operator operator, double value, long durationS) implements Condition {
        @Override
        public boolean holds(Instant previousTs, Double previousValue, Instant ts, double v) {
            return operator.test(v, value);
        }

        @Override
        public Duration duration() {
            return Duration.ofSeconds(durationS);
        }
    }

    /** Holds outside [min, max]. */
    record Range(double min, double max, long durationS) implements Condition {
        @Override
        public boolean holds(Instant previousTs, Double previousValue, Instant ts, double v) {
            return v < min || v > max;
        }

        @Override
        public Duration duration() {
            return Duration.ofSeconds(durationS);
        }
    }

    /** Holds when the value moved faster than the bound since the previous point (none: it cannot). */
    record RateOfChange(double maxAbsPerS) implements Condition {
        @Override
        public boolean holds(Instant previousTs, Double previousValue, Instant ts, double v) {
            if (previousTs == null || previousValue == null || !ts.isAfter(previousTs)) {
                return false;
            }
            double seconds = Duration.between(previousTs, ts).toNanos() / 1e9;
            return Math.abs(v - previousValue) / seconds > maxAbsPerS;
        }
    }

    /** No point of the key for the given seconds: the scheduler's to judge. */
    record NoData(long seconds) implements Condition {
        @Override
        public boolean holds(Instant previousTs, Double previousValue, Instant ts, double v) {
            return false;
        }

        @Override
        public boolean judgedOnPoints() {
            return false;
        }
    }

    /** The key's anomaly score (the series {@code <key>.anomaly_score}) above a bound. */
    record Anomaly(double scoreAbove) implements Condition {
        @Override
        public boolean holds(Instant previousTs, Double previousValue, Instant ts, double v) {
            return v > scoreAbove;
        }
    }

    /**
     * A device's request (client-side RPC) whose method is the rule's key: answered by the rule's
     * {@code rpc_reply} action, never judged on points and never an alert.
     */
    record ClientRpc() implements Condition {
        @Override
        public boolean holds(Instant previousTs, Double previousValue, Instant ts, double v) {
            return false;
        }

        @Override
        public boolean judgedOnPoints() {
            return false;
        }
    }
}

package io.insa.iiot.telemetry;

/** A value of a time series: long, double, boolean, string or a JSON object (SPEC 4.2). */
public sealed interface TelemetryValue {

    /** The value as a JSON-ready Java object. */
    Object plain();

    /** The value as a number to judge (rules, anomaly scores): booleans as 1 and 0; null for text and JSON. */
    default Double asNumber() {
        return switch (this) {
            case LongValue l -> (double) l.value();
            case DoubleValue d -> d.value();
            case BooleanValue b -> b.value() ? 1.0 : 0.0;
            case StringValue s -> null;
            case JsonValue j -> null;
        };
    }

    record LongValue(long value) implements TelemetryValue {
        public Object plain() {
            return value;
        }
    }

    record DoubleValue(double value) implements TelemetryValue {
        public Object plain() {
            return value;
        }
    }

    record BooleanValue(boolean value) implements TelemetryValue {
        public Object plain() {
            return value;
        }
    }

    record StringValue(String value) implements TelemetryValue {
        public Object plain() {
            return value;
        }
    }

    /** A JSON object, kept as its text. */
    record JsonValue(String json) implements TelemetryValue {
        public Object plain() {
            return json;
        }
    }
}

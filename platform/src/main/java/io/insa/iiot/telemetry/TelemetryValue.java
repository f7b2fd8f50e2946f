package io.insa.iiot.telemetry;

/** A value of a time series: long, double, boolean, string or a JSON object (SPEC 4.2). */
public sealed interface TelemetryValue {

    /** The value as a JSON-ready Java object. */
    Object plain();

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

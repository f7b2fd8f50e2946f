package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.connector.opcua.OpcUaConnector;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import tools.jackson.databind.JsonNode;

/**
 * How a mapping turns a node's values into a device's telemetry and back: a scalar, scaled, under the mapping's device
 * and key at its source time; a written number in the node's own type with the scaling undone.
 */
final class ValueMapping {

    /** A value of a mapped node on its way into its device's next message. */
    record Point(String key, Instant ts, Object value, boolean uncertain) {}

    private ValueMapping() {}

    /**
     * The point of a data change of a good or uncertain status, timed by the source (else the server, else now); empty
     * for arrays and structures, which are not mapped.
     */
    static Optional<Point> point(OpcUaConnector.Mapping mapping, DataValue value, StatusCode status) {
        Object plain = plain(value.getValue(), mapping);
        if (plain == null) {
            return Optional.empty();
        }
        Instant ts = value.getSourceTime() != null && value.getSourceTime().isValid()
                ? value.getSourceTime().getJavaInstant()
                : value.getServerTime() != null && value.getServerTime().isValid()
                        ? value.getServerTime().getJavaInstant()
                        : Instant.now();
        return Optional.of(new Point(mapping.key(), ts, plain, status.isUncertain()));
    }

    /** Milo's unsigned types are {@link Number}s too: whole unless scaled, as the signed ones. */
    private static Object plain(Variant variant, OpcUaConnector.Mapping mapping) {
        Object v = variant == null ? null : variant.getValue();
        if (v == null || v.getClass().isArray()) {
            return null;
        }
        if (v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof Number n) {
            double scaled = n.doubleValue() * mapping.scale() + mapping.offset();
            boolean integral =
                    !(v instanceof Float || v instanceof Double) && mapping.scale() == 1.0 && mapping.offset() == 0.0;
            return integral ? (Object) n.longValue() : (Object) scaled;
        }
        return null;
    }

    /** The mapping through which a device's key is written, if the connector maps that key. */
    static Optional<OpcUaConnector.Mapping> of(OpcUaConnector connector, String deviceName, String key) {
        return connector.mappings().stream()
                .filter(m -> m.deviceName().equals(deviceName) && m.key().equals(key))
                .findFirst();
    }

    /** A command's JSON value as a boolean, a whole number, a number or else text. */
    static Object plain(JsonNode value) {
        return value.isBoolean()
                ? (Object) value.asBoolean()
                : value.isIntegralNumber()
                        ? (Object) value.asLong()
                        : value.isNumber() ? (Object) value.asDouble() : value.asString();
    }

    /** The written value in the node's current Java type, with the mapping's scaling undone. */
    static Object typed(Object current, Object plain, OpcUaConnector.Mapping mapping) {
        if (!(plain instanceof Number n) || current == null) {
            return plain;
        }
        double raw = (n.doubleValue() - mapping.offset()) / mapping.scale();
        return switch (current) {
            case Double d -> raw;
            case Float f -> (float) raw;
            case Integer i -> (int) Math.round(raw);
            case Long l -> Math.round(raw);
            case Short s -> (short) Math.round(raw);
            default -> plain;
        };
    }
}

package io.insa.iiot.ingest;

import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Strict parsing of the payloads of SPEC 4.2. Telemetry is {@code {"key": value, ...}} (server time),
 * {@code {"ts": epochMillis, "values": {...}}} (device time), or an array of either; attributes are a
 * flat object. A message is valid whole or refused whole. A bare {@code {}} is telemetry without values:
 * ThingsBoard's SDKs send it to check their connection and ThingsBoard acknowledges it, so it is
 * acknowledged here too, on every transport, with nothing stored.
 */
final class PayloadParser {

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    static final int MAX_KEY_LENGTH = 255;

    private final IngestProperties limits;

    PayloadParser(IngestProperties limits) {
        this.limits = limits;
    }

    /**
     * The points of a telemetry message. An entry without {@code ts} takes its time from {@code serverTime},
     * once per entry, so that the entries of one message stay apart; {@code now} bounds device times.
     */
    List<Point> telemetry(byte[] payload, Instant now, Supplier<Instant> serverTime) throws MalformedPayload {
        JsonNode root = read(payload);
        List<Point> points = new ArrayList<>();
        if (root.isObject() && root.isEmpty()) {
            return points;
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                throw new MalformedPayload("the array holds no entries");
            }
            int index = 0;
            for (JsonNode entry : root) {
                entry(entry, "[" + index++ + "]", now, serverTime, points);
            }
        } else {
            entry(root, "", now, serverTime, points);
        }
        return points;
    }

    /** Attribute values as JSON text, by key. */
    Map<String, String> attributes(byte[] payload) throws MalformedPayload {
        JsonNode root = read(payload);
        if (!root.isObject() || root.isEmpty()) {
            throw new MalformedPayload("attributes must be a non-empty JSON object of key: value");
        }
        requireSize(root.size());
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            key(e.getKey(), "");
            value(e.getValue(), e.getKey());
            out.put(e.getKey(), STRICT.writeValueAsString(e.getValue()));
        }
        return out;
    }

    private JsonNode read(byte[] payload) throws MalformedPayload {
        if (payload.length > limits.maxPayloadBytes()) {
            throw new MalformedPayload("payload of " + payload.length + " bytes exceeds the limit of "
                    + limits.maxPayloadBytes() + " bytes");
        }
        if (payload.length == 0) {
            throw new MalformedPayload("empty payload");
        }
        try {
            return STRICT.readTree(payload);
        } catch (JacksonException e) {
            throw new MalformedPayload("malformed JSON: " + e.getOriginalMessage());
        }
    }

    private void entry(JsonNode entry, String at, Instant now, Supplier<Instant> serverTime, List<Point> out)
            throws MalformedPayload {
        if (!entry.isObject()) {
            throw new MalformedPayload(where(at) + "expected a JSON object, found "
                    + entry.getNodeType().name().toLowerCase());
        }
        if (entry.has("ts") || entry.has("values")) {
            if (entry.size() != 2 || !entry.has("ts") || !entry.has("values")) {
                throw new MalformedPayload(
                        where(at) + "a timestamped entry is exactly {\"ts\": epochMillis, \"values\": {...}}");
            }
            Instant ts = timestamp(entry.get("ts"), at, now);
            values(entry.get("values"), at + (at.isEmpty() ? "" : ".") + "values", ts, out);
        } else {
            values(entry, at, serverTime.get(), out);
        }
    }

    private void values(JsonNode values, String at, Instant ts, List<Point> out) throws MalformedPayload {
        if (!values.isObject() || values.isEmpty()) {
            throw new MalformedPayload(where(at) + "values must be a non-empty JSON object");
        }
        requireSize(out.size() + values.size());
        for (Map.Entry<String, JsonNode> e : values.properties()) {
            key(e.getKey(), at);
            out.add(new Point(e.getKey(), ts, value(e.getValue(), e.getKey())));
        }
    }

    private void requireSize(int points) throws MalformedPayload {
        if (points > limits.maxPointsPerMessage()) {
            throw new MalformedPayload(
                    "too many keys: more than " + limits.maxPointsPerMessage() + " values in one message");
        }
    }

    private Instant timestamp(JsonNode ts, String at, Instant now) throws MalformedPayload {
        if (!ts.isIntegralNumber() || !ts.canConvertToLong() || ts.asLong() < 0) {
            throw new MalformedPayload(where(at) + "ts must be epoch milliseconds (a non-negative integer)");
        }
        Instant instant = Instant.ofEpochMilli(ts.asLong());
        if (instant.isAfter(now.plus(limits.maxFutureSkew()))) {
            throw new MalformedPayload(
                    where(at) + "ts " + ts.asLong() + " is more than " + limits.maxFutureSkew() + " in the future");
        }
        return instant;
    }

    private static void key(String key, String at) throws MalformedPayload {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new MalformedPayload(where(at) + "bad key: keys have 1 to " + MAX_KEY_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new MalformedPayload(where(at) + "bad key '" + key.replaceAll("\\p{Cntrl}", "?")
                        + "': keys are printable characters");
            }
        }
    }

    private static TelemetryValue value(JsonNode v, String key) throws MalformedPayload {
        if (holdsNul(v)) {
            // PostgreSQL text and jsonb cannot store it: refused here, or the whole batch would fail
            throw new MalformedPayload("value of '" + key + "' contains the NUL character (U+0000)");
        }
        if (v.isBoolean()) {
            return new TelemetryValue.BooleanValue(v.booleanValue());
        }
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                throw new MalformedPayload("value of '" + key + "' is out of the range of a 64-bit integer");
            }
            return new TelemetryValue.LongValue(v.asLong());
        }
        if (v.isNumber()) {
            double d = v.doubleValue();
            if (!Double.isFinite(d)) {
                throw new MalformedPayload("value of '" + key + "' is not a finite number");
            }
            return new TelemetryValue.DoubleValue(d);
        }
        if (v.isString()) {
            return new TelemetryValue.StringValue(v.stringValue());
        }
        if (v.isObject() || v.isArray()) {
            return new TelemetryValue.JsonValue(STRICT.writeValueAsString(v));
        }
        throw new MalformedPayload(
                "value of '" + key + "' must be a number, boolean, string, JSON object or array, not "
                        + v.getNodeType().name().toLowerCase());
    }

    private static boolean holdsNul(JsonNode v) {
        if (v.isString()) {
            return v.stringValue().indexOf('\u0000') >= 0;
        }
        if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (e.getKey().indexOf('\u0000') >= 0 || holdsNul(e.getValue())) {
                    return true;
                }
            }
        } else if (v.isArray()) {
            for (JsonNode element : v) {
                if (holdsNul(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String where(String at) {
        return at.isEmpty() ? "" : at + ": ";
    }
}

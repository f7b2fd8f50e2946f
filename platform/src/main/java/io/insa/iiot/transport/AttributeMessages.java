package io.insa.iiot.transport;

import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.device.SharedAttributesChanged;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Attribute messages in the shapes of ThingsBoard's device API, the same on every transport: a
 * request names {@code clientKeys} and {@code sharedKeys} (comma-separated, or a JSON array), its
 * answer is {@code {"client": {...}, "shared": {...}}}, and a change of shared attributes is
 * {@code {"key": value, ...}} with the removed keys under {@code "deleted"}.
 */
public final class AttributeMessages {

    /** The keys a device asked for; both empty: all of its client and shared attributes. */
    public record Request(Set<String> clientKeys, Set<String> sharedKeys) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AttributeMessages() {}

    /** A request as published (MQTT) or posted: {@code {"clientKeys": "a,b", "sharedKeys": "c"}}; empty: all. */
    public static Request request(byte[] payload) {
        if (payload.length == 0) {
            return new Request(Set.of(), Set.of());
        }
        JsonNode body;
        try {
            body = JSON.readTree(payload);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
        }
        if (body == null || body.isNull() || body.isMissingNode()) {
            return new Request(Set.of(), Set.of());
        }
        if (!body.isObject()) {
            throw new IllegalArgumentException(
                    "an attribute request is {\"clientKeys\": \"a,b\", \"sharedKeys\": \"c\"}");
        }
        return new Request(keys(body.get("clientKeys")), keys(body.get("sharedKeys")));
    }

    /** A request as query parameters (HTTP, CoAP): {@code clientKeys=a,b&sharedKeys=c}. */
    public static Request request(String clientKeys, String sharedKeys) {
        return new Request(split(clientKeys), split(sharedKeys));
    }

    /** The answer to a request: the scopes asked for, each as its values by key. */
    public static byte[] response(DeviceAttributes.Readable found) {
        ObjectNode body = JSON.createObjectNode();
        if (found.client() != null) {
            body.set("client", values(found.client()));
        }
        if (found.shared() != null) {
            body.set("shared", values(found.shared()));
        }
        return JSON.writeValueAsBytes(body);
    }

    /** What a device subscribed to its shared attributes is sent. */
    public static byte[] update(SharedAttributesChanged change) {
        return JSON.writeValueAsBytes(changes(change));
    }

    /**
     * Several changes as one update, in their order: a later value or removal of a key wins over an
     * earlier one (for an observer that may have missed some of the notifications that carried them).
     */
    public static byte[] update(List<SharedAttributesChanged> changes) {
        Map<String, String> updated = new LinkedHashMap<>();
        Set<String> deleted = new LinkedHashSet<>();
        for (SharedAttributesChanged change : changes) {
            change.updated().forEach((key, value) -> {
                updated.put(key, value);
                deleted.remove(key);
            });
            change.deleted().forEach(key -> {
                updated.remove(key);
                deleted.add(key);
            });
        }
        return JSON.writeValueAsBytes(notice(updated, deleted));
    }

    /** A change as one JSON object: the keys set, and {@code "deleted": [...]} when keys were removed. */
    public static ObjectNode changes(SharedAttributesChanged change) {
        return notice(change.updated(), change.deleted());
    }

    private static ObjectNode notice(Map<String, String> updated, Collection<String> deleted) {
        ObjectNode body = values(updated);
        if (!deleted.isEmpty()) {
            deleted.forEach(body.putArray("deleted")::add);
        }
        return body;
    }

    /** JSON text per key as one object. */
    public static ObjectNode values(Map<String, String> jsonValues) {
        ObjectNode node = JSON.createObjectNode();
        jsonValues.forEach((key, value) -> node.set(key, JSON.readTree(value)));
        return node;
    }

    private static Set<String> keys(JsonNode node) {
        if (node == null || node.isNull()) {
            return Set.of();
        }
        if (node.isString()) {
            return split(node.asString());
        }
        if (node.isArray()) {
            Set<String> keys = new LinkedHashSet<>();
            node.forEach(k -> {
                if (k.isString() && !k.asString().isBlank()) {
                    keys.add(k.asString().strip());
                }
            });
            return keys;
        }
        throw new IllegalArgumentException("clientKeys and sharedKeys are comma-separated names or a list");
    }

    private static Set<String> split(String keys) {
        if (keys == null || keys.isBlank()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(keys.split(","))
                .map(String::strip)
                .filter(k -> !k.isEmpty())
                .forEach(out::add);
        return out;
    }
}

package io.insa.iiot.shared;

import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * Strict reading of a JSON request body by hand, where a bean cannot say which nested field is wrong:
 * each mistake is a 400 naming the field ({@code condition.operator}, {@code actions[0].url}).
 */
public final class JsonFields {

    private JsonFields() {}

    public static void unknownFields(JsonNode node, Set<String> known, String prefix) {
        for (String name : node.propertyNames()) {
            if (!known.contains(name)) {
                throw ProblemException.badRequest(prefix + name, "unknown field");
            }
        }
    }

    public static JsonNode required(JsonNode node, String name, String field) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw ProblemException.badRequest(field, "is required");
        }
        return value;
    }

    public static String text(JsonNode node, String name, String field, int maxLength) {
        JsonNode value = required(node, name, field);
        if (!value.isString() || value.asString().isBlank()) {
            throw ProblemException.badRequest(field, "must be a non-empty string");
        }
        String text = value.asString();
        if (text.length() > maxLength || text.indexOf('\0') >= 0) {
            throw ProblemException.badRequest(field, "must be at most " + maxLength + " characters, without NUL");
        }
        return text;
    }

    public static boolean bool(JsonNode value, String field) {
        if (!value.isBoolean()) {
            throw ProblemException.badRequest(field, "must be true or false");
        }
        return value.asBoolean();
    }

    public static double number(JsonNode node, String name, String field) {
        JsonNode value = required(node, name, field);
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw ProblemException.badRequest(field, "must be a finite number");
        }
        return value.asDouble();
    }

    public static long wholeNumber(JsonNode node, String name, String field) {
        JsonNode value = required(node, name, field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw ProblemException.badRequest(field, "must be a whole number");
        }
        return value.asLong();
    }

    public static UUID uuid(JsonNode value, String field) {
        try {
            if (value.isString()) {
                return UUID.fromString(value.asString());
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw ProblemException.badRequest(field, "must be an id (UUID)");
    }
}

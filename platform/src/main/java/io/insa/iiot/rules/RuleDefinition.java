package io.insa.iiot.rules;

import static io.insa.iiot.shared.JsonFields.bool;
import static io.insa.iiot.shared.JsonFields.number;
import static io.insa.iiot.shared.JsonFields.required;
import static io.insa.iiot.shared.JsonFields.text;
import static io.insa.iiot.shared.JsonFields.unknownFields;
import static io.insa.iiot.shared.JsonFields.uuid;
import static io.insa.iiot.shared.JsonFields.wholeNumber;

import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.shared.ProblemException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A rule's shape: which devices, which key, when it fires and clears, what it does. Read strictly from
 * what the API sends: every mistake is a 400 naming the field ({@code condition.operator},
 * {@code actions[0].url}). The checks that need the database or the network (devices exist, webhook
 * address) are the service's.
 *
 * @param clearCondition null: the negation of {@code condition} clears
 */
public record RuleDefinition(
        String name,
        boolean enabled,
        Severity severity,
        DeviceScope scope,
        String key,
        Condition condition,
        Condition clearCondition,
        List<RuleAction> actions) {

    static final int MAX_ACTIONS = 10;
    static final long MAX_DURATION_S = 7 * 24 * 3600;

    private static final Set<String> FIELDS =
            Set.of("name", "enabled", "severity", "scope", "key", "condition", "clear_condition", "actions");

    /** The same shape with other actions. */
    RuleDefinition withActions(List<RuleAction> actions) {
        return new RuleDefinition(name, enabled, severity, scope, key, condition, clearCondition, List.copyOf(actions));
    }

    /** The shape as the API shows it, and as a client would send it back: secrets hidden. */
    RuleDefinition shown() {
        return withActions(actions.stream().map(RuleAction::shown).toList());
    }

    static RuleDefinition parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object");
        }
        unknownFields(body, FIELDS, "");
        String name = text(body, "name", "name", 200);
        boolean enabled = !body.has("enabled") || bool(body.get("enabled"), "enabled");
        Severity severity;
        try {
            severity = Severity.of(text(body, "severity", "severity", 20));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("severity", e.getMessage());
        }
        DeviceScope scope = body.has("scope") ? DeviceScope.parse(body.get("scope"), "scope") : new DeviceScope.All();
        String key = text(body, "key", "key", 255);
        Condition condition = condition(required(body, "condition", "condition"), "condition", false);
        Condition clear = null;
        JsonNode clearNode = body.get("clear_condition");
        if (clearNode != null && !clearNode.isNull()) {
            if (!condition.judgedOnPoints()) {
                throw ProblemException.badRequest(
                        "clear_condition", "not allowed with a " + typeOf(condition) + " condition");
            }
            clear = condition(clearNode, "clear_condition", true);
        }
        List<RuleAction> actions = body.has("actions") ? actions(body.get("actions")) : List.of();
        boolean replies = actions.stream().anyMatch(a -> a instanceof RuleAction.RpcReply);
        if (condition instanceof Condition.ClientRpc && (actions.size() != 1 || !replies)) {
            throw ProblemException.badRequest("actions", "a client_rpc rule has exactly one action, of type rpc_reply");
        }
        if (replies && !(condition instanceof Condition.ClientRpc)) {
            throw ProblemException.badRequest("actions", "rpc_reply belongs to client_rpc rules only");
        }
        return new RuleDefinition(name, enabled, severity, scope, key, condition, clear, actions);
    }

    private static Condition condition(JsonNode node, String field, boolean clearing) {
        if (!node.isObject()) {
            throw ProblemException.badRequest(field, "must be an object with a type");
        }
        String type = text(node, "type", field + ".type", 20);
        String at = field + ".";
        Condition condition = switch (type) {
            case "threshold" -> {
                unknownFields(node, Set.of("type", "operator", "value", "duration_s"), at);
                Condition.Operator operator;
                try {
                    operator = Condition.Operator.of(text(node, "operator", at + "operator", 2));
                } catch (IllegalArgumentException e) {
                    throw ProblemException.badRequest(at + "operator", e.getMessage());
                }
                yield new Condition.Threshold(
                        operator, number(node, "value", at + "value"), duration(node, at + "duration_s"));
            }
            case "range" -> {
                unknownFields(node, Set.of("type", "min", "max", "duration_s"), at);
                double min = number(node, "min", at + "min");
                double max = number(node, "max", at + "max");
                if (min > max) {
                    throw ProblemException.badRequest(at + "min", "must not be greater than max");
                }
                yield new Condition.Range(min, max, duration(node, at + "duration_s"));
            }
            case "rate_of_change" -> {
                unknownFields(node, Set.of("type", "max_abs_per_s"), at);
                double max = number(node, "max_abs_per_s", at + "max_abs_per_s");
                if (max < 0) {
                    throw ProblemException.badRequest(at + "max_abs_per_s", "must be 0 or more");
                }
                yield new Condition.RateOfChange(max);
            }
            case "no_data" -> {
                unknownFields(node, Set.of("type", "seconds"), at);
                long seconds = wholeNumber(node, "seconds", at + "seconds");
                if (seconds < 1 || seconds > MAX_DURATION_S) {
                    throw ProblemException.badRequest(at + "seconds", "must be between 1 and " + MAX_DURATION_S);
                }
                yield new Condition.NoData(seconds);
            }
            case "anomaly" -> {
                unknownFields(node, Set.of("type", "score_above"), at);
                yield new Condition.Anomaly(number(node, "score_above", at + "score_above"));
            }
            case "client_rpc" -> {
                unknownFields(node, Set.of("type"), at);
                yield new Condition.ClientRpc();
            }
            default ->
                throw ProblemException.badRequest(
                        at + "type", "must be one of threshold, range, rate_of_change, no_data, anomaly, client_rpc");
        };
        if (clearing && !condition.judgedOnPoints()) {
            throw ProblemException.badRequest(at + "type", "must be one of threshold, range, rate_of_change, anomaly");
        }
        return condition;
    }

    private static List<RuleAction> actions(JsonNode node) {
        if (!node.isArray() || node.size() > MAX_ACTIONS) {
            throw ProblemException.badRequest("actions", "must be a list of at most " + MAX_ACTIONS + " actions");
        }
        List<RuleAction> actions = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode action = node.get(i);
            String at = "actions[" + i + "].";
            if (!action.isObject()) {
                throw ProblemException.badRequest("actions[" + i + "]", "must be an object with a type");
            }
            actions.add(
                    switch (text(action, "type", at + "type", 20)) {
                        case "webhook" -> {
                            unknownFields(action, Set.of("type", "url", "secret"), at);
                            yield new RuleAction.Webhook(
                                    text(action, "url", at + "url", 2000), text(action, "secret", at + "secret", 256));
                        }
                        case "email" -> {
                            unknownFields(action, Set.of("type", "to"), at);
                            yield new RuleAction.Email(recipients(required(action, "to", at + "to"), at + "to"));
                        }
                        case "command" -> {
                            unknownFields(action, Set.of("type", "device_id", "method", "params"), at);
                            JsonNode params = action.get("params");
                            if (params == null || params.isNull()) {
                                params = JsonNodeFactory.instance.objectNode();
                            } else if (!params.isObject()) {
                                throw ProblemException.badRequest(at + "params", "must be a JSON object");
                            }
                            yield new RuleAction.Command(
                                    uuid(required(action, "device_id", at + "device_id"), at + "device_id"),
                                    text(action, "method", at + "method", 100),
                                    params);
                        }
                        case "rpc_reply" -> {
                            unknownFields(action, Set.of("type", "response"), at);
                            yield new RuleAction.RpcReply(required(action, "response", at + "response"));
                        }
                        default ->
                            throw ProblemException.badRequest(
                                    at + "type", "must be one of webhook, email, command, rpc_reply");
                    });
        }
        return List.copyOf(actions);
    }

    private static List<String> recipients(JsonNode to, String field) {
        if (!to.isArray() || to.isEmpty() || to.size() > 20) {
            throw ProblemException.badRequest(field, "must be a list of 1 to 20 e-mail addresses");
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < to.size(); i++) {
            String at = field + "[" + i + "]";
            if (!to.get(i).isString()) {
                throw ProblemException.badRequest(at, "must be an e-mail address");
            }
            String address = to.get(i).asString();
            try {
                new InternetAddress(address, true).validate();
            } catch (AddressException e) {
                throw ProblemException.badRequest(at, "must be an e-mail address");
            }
            addresses.add(address);
        }
        return List.copyOf(addresses);
    }

    public static String typeOf(Condition condition) {
        return switch (condition) {
            case Condition.Threshold t -> "threshold";
            case Condition.Range r -> "range";
            case Condition.RateOfChange r -> "rate_of_change";
            case Condition.NoData n -> "no_data";
            case Condition.Anomaly a -> "anomaly";
            case Condition.ClientRpc c -> "client_rpc";
        };
    }

    private static long duration(JsonNode node, String field) {
        if (!node.has("duration_s") || node.get("duration_s").isNull()) {
            return 0;
        }
        long seconds = wholeNumber(node, "duration_s", field);
        if (seconds < 0 || seconds > MAX_DURATION_S) {
            throw ProblemException.badRequest(field, "must be between 0 and " + MAX_DURATION_S);
        }
        return seconds;
    }
}

package io.insa.iiot.connector.opcua;

import static io.insa.iiot.shared.JsonFields.bool;
import static io.insa.iiot.shared.JsonFields.number;
import static io.insa.iiot.shared.JsonFields.text;
import static io.insa.iiot.shared.JsonFields.unknownFields;
import static io.insa.iiot.shared.JsonFields.wholeNumber;

import io.insa.iiot.shared.ProblemException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** A connector as the API sends it, read strictly: every mistake is a 400 naming the field. */
record ConnectorDefinition(
        String name,
        String endpointUrl,
        String securityPolicy,
        String securityMode,
        OpcUaConnector.Auth auth,
        boolean enabled,
        Integer publishingIntervalMs,
        List<OpcUaConnector.Mapping> mappings) {

    static final Set<String> POLICIES =
            Set.of("None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss");
    static final Set<String> MODES = Set.of("None", "Sign", "SignAndEncrypt");
    static final int MAX_MAPPINGS = 10_000;
    /** ns=<index>;(i|s|g|b)=<identifier>, or a plain (i|s|g|b)=<identifier> in namespace 0 */
    private static final Pattern NODE_ID = Pattern.compile("^(ns=\\d{1,5};)?[isgb]=.+$", Pattern.DOTALL);

    private static final Set<String> FIELDS = Set.of(
            "name",
            "endpoint_url",
            "security_policy",
            "security_mode",
            "auth",
            "enabled",
            "publishing_interval_ms",
            "mappings");

    /**
     * {@code keptPassword}: the stored password, used when a username auth comes without one (null when the endpoint
     * changed: the password is not for the new server).
     */
    static ConnectorDefinition parse(JsonNode body, String keptPassword) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object");
        }
        unknownFields(body, FIELDS, "");
        String name = text(body, "name", "name", 200);
        String url = text(body, "endpoint_url", "endpoint_url", 2000);
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("endpoint_url", "must be opc.tcp://host:port/path");
        }
        if (!"opc.tcp".equals(uri.getScheme()) || uri.getHost() == null) {
            throw ProblemException.badRequest("endpoint_url", "must be opc.tcp://host:port/path");
        }
        String policy = body.has("security_policy") ? text(body, "security_policy", "security_policy", 40) : "None";
        if (!POLICIES.contains(policy)) {
            throw ProblemException.badRequest(
                    "security_policy",
                    "must be one of None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss");
        }
        String mode = body.has("security_mode") ? text(body, "security_mode", "security_mode", 20) : "None";
        if (!MODES.contains(mode)) {
            throw ProblemException.badRequest("security_mode", "must be one of None, Sign, SignAndEncrypt");
        }
        if (policy.equals("None") != mode.equals("None")) {
            throw ProblemException.badRequest("security_mode", "must be None exactly when security_policy is None");
        }
        OpcUaConnector.Auth auth =
                body.has("auth") ? auth(body.get("auth"), keptPassword) : OpcUaConnector.Auth.ANONYMOUS;
        boolean enabled = !body.has("enabled") || bool(body.get("enabled"), "enabled");
        // absent or null: the fastest sampling interval decides (connector.opcua.internal.Publishing)
        Integer publishing = body.hasNonNull("publishing_interval_ms")
                ? (int) range(
                        wholeNumber(body, "publishing_interval_ms", "publishing_interval_ms"),
                        10,
                        600_000,
                        "publishing_interval_ms")
                : null;
        List<OpcUaConnector.Mapping> mappings = body.has("mappings") ? mappings(body.get("mappings")) : List.of();
        return new ConnectorDefinition(name, url, policy, mode, auth, enabled, publishing, mappings);
    }

    private static OpcUaConnector.Auth auth(JsonNode node, String keptPassword) {
        if (!node.isObject()) {
            throw ProblemException.badRequest("auth", "must be an object with a type");
        }
        return switch (text(node, "type", "auth.type", 20)) {
            case "anonymous" -> {
                unknownFields(node, Set.of("type"), "auth.");
                yield OpcUaConnector.Auth.ANONYMOUS;
            }
            case "certificate" -> {
                unknownFields(node, Set.of("type"), "auth.");
                yield new OpcUaConnector.Auth("certificate", null, null);
            }
            case "username" -> {
                unknownFields(node, Set.of("type", "username", "password"), "auth.");
                String username = text(node, "username", "auth.username", 200);
                String password = node.has("password") && !node.get("password").isNull()
                        ? text(node, "password", "auth.password", 500)
                        : keptPassword;
                if (password == null) {
                    throw ProblemException.badRequest(
                            "auth.password",
                            "is required (a stored password is kept only while endpoint_url stays the same)");
                }
                yield new OpcUaConnector.Auth("username", username, password);
            }
            default ->
                throw ProblemException.badRequest("auth.type", "must be one of anonymous, username, certificate");
        };
    }

    private static List<OpcUaConnector.Mapping> mappings(JsonNode node) {
        if (!node.isArray() || node.size() > MAX_MAPPINGS) {
            throw ProblemException.badRequest("mappings", "must be a list of at most " + MAX_MAPPINGS + " mappings");
        }
        List<OpcUaConnector.Mapping> mappings = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String at = "mappings[" + i + "].";
            if (!m.isObject()) {
                throw ProblemException.badRequest("mappings[" + i + "]", "must be an object");
            }
            unknownFields(
                    m,
                    Set.of("node_id", "device_name", "key", "sampling_interval_ms", "deadband", "scale", "offset"),
                    at);
            String nodeId = text(m, "node_id", at + "node_id", 1000);
            if (!NODE_ID.matcher(nodeId).matches()) {
                throw ProblemException.badRequest(at + "node_id", "must be a node id such as ns=2;s=Line1.Temperature");
            }
            int sampling = m.has("sampling_interval_ms")
                    ? (int) range(
                            wholeNumber(m, "sampling_interval_ms", at + "sampling_interval_ms"),
                            0,
                            3_600_000,
                            at + "sampling_interval_ms")
                    : 1000;
            OpcUaConnector.Deadband deadband = null;
            if (m.has("deadband") && !m.get("deadband").isNull()) {
                JsonNode d = m.get("deadband");
                if (!d.isObject()) {
                    throw ProblemException.badRequest(at + "deadband", "must be an object with a type and a value");
                }
                unknownFields(d, Set.of("type", "value"), at + "deadband.");
                String type = text(d, "type", at + "deadband.type", 20);
                if (!type.equals("absolute") && !type.equals("percent")) {
                    throw ProblemException.badRequest(at + "deadband.type", "must be absolute or percent");
                }
                double value = number(d, "value", at + "deadband.value");
                if (value < 0 || (type.equals("percent") && value > 100)) {
                    throw ProblemException.badRequest(
                            at + "deadband.value", "must be 0 or more (a percent at most 100)");
                }
                deadband = new OpcUaConnector.Deadband(type, value);
            }
            mappings.add(new OpcUaConnector.Mapping(
                    nodeId,
                    text(m, "device_name", at + "device_name", 200),
                    text(m, "key", at + "key", 255),
                    sampling,
                    deadband,
                    m.has("scale") ? number(m, "scale", at + "scale") : 1.0,
                    m.has("offset") ? number(m, "offset", at + "offset") : 0.0));
        }
        return List.copyOf(mappings);
    }

    private static long range(long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw ProblemException.badRequest(field, "must be between " + min + " and " + max);
        }
        return value;
    }
}

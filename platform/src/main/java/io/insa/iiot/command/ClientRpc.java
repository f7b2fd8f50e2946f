package io.insa.iiot.command;

import io.insa.iiot.device.DeviceIdentity;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Requests a device sends to the platform (client-side RPC of ThingsBoard's device API:
 * {@code {"method": ..., "params": ...}}), answered by the tenant's rules ({@link Answers}), except
 * {@value #SESSION_LIMITS}, which ThingsBoard's SDKs ask on connecting and the platform answers
 * itself. Every request gets an answer: one no rule takes, or a malformed one, gets
 * {@code {"error": ...}}, so that no device waits for an answer that never comes.
 */
@Service
public class ClientRpc {

    /** Asked by ThingsBoard's SDKs on connect: the limits they should keep to. */
    static final String SESSION_LIMITS = "getSessionLimits";

    /** Whoever answers a device's requests by their method: the rules. */
    public interface Answers {
        /** The answer (JSON text) to the device's request, if a rule of its tenant takes it. */
        Optional<String> answer(DeviceIdentity device, String method, JsonNode params);
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ObjectProvider<Answers> answers;
    private final int maxPayloadBytes;
    private final int deviceMessagesPerSecond;

    ClientRpc(
            ObjectProvider<Answers> answers,
            @Value("${insa.ingest.max-payload-bytes}") int maxPayloadBytes,
            @Value("${insa.ingest.device-messages-per-second}") int deviceMessagesPerSecond) {
        this.answers = answers;
        this.maxPayloadBytes = maxPayloadBytes;
        this.deviceMessagesPerSecond = deviceMessagesPerSecond;
    }

    /** The answer (JSON text) to a request (the JSON the device sent). */
    public String answer(DeviceIdentity device, byte[] request) {
        JsonNode body;
        try {
            body = JSON.readTree(request);
        } catch (JacksonException e) {
            return error("malformed JSON: a request is {\"method\": \"name\", \"params\": {...}}");
        }
        if (body == null
                || !body.path("method").isString()
                || body.get("method").asString().isBlank()) {
            return error("a request is {\"method\": \"name\", \"params\": {...}}");
        }
        String method = body.get("method").asString();
        if (method.equals(SESSION_LIMITS)) {
            return sessionLimits();
        }
        Answers rules = answers.getIfAvailable();
        Optional<String> answer = rules == null ? Optional.empty() : rules.answer(device, method, body.path("params"));
        return answer.orElseGet(() -> error("no rule answers method '" + method + "'"));
    }

    /** ThingsBoard's shape: the payload limit, and rate limits as "messages:seconds". */
    private String sessionLimits() {
        ObjectNode limits = JSON.createObjectNode().put("maxPayloadSize", maxPayloadBytes);
        limits.putObject("rateLimits")
                .put("messages", deviceMessagesPerSecond + ":1")
                .put("telemetryMessages", deviceMessagesPerSecond + ":1")
                .put("telemetryDataPoints", "");
        return JSON.writeValueAsString(limits);
    }

    private static String error(String message) {
        return JSON.writeValueAsString(JSON.createObjectNode().put("error", message));
    }
}

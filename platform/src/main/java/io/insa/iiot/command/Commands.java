package io.insa.iiot.command;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.Devices;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Commands to devices (SPEC 5): delivered to whichever transport the device listens on, and, unless
 * one-way, answered by the device within the timeout. Offline devices get none (409); a device that
 * does not answer in time gives 504.
 */
@Service
public class Commands {

    /** The outcome the API returns: the device's response (JSON text) for two-way commands. */
    public record Outcome(UUID id, String status, String response) {}

    private record Pending(UUID deviceId, CompletableFuture<String> response) {}

    private static final JsonMapper STRICT_JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final CommandChannels channels;
    private final CommandRelay relay;
    private final Devices devices;
    private final AuditLog audit;
    private final Map<UUID, Pending> pending = new ConcurrentHashMap<>();

    Commands(CommandChannels channels, CommandRelay relay, Devices devices, AuditLog audit) {
        this.channels = channels;
        this.relay = relay;
        relay.answersTo(this::respond);
        this.devices = devices;
        this.audit = audit;
    }

    Outcome send(
            Caller caller,
            TenantId tenant,
            UUID deviceId,
            String method,
            String params,
            Duration timeout,
            boolean oneWay) {
        if (!devices.exists(tenant, deviceId)) {
            throw ProblemException.notFound("device " + deviceId);
        }
        DeviceCommand command = new DeviceCommand(Ids.newId(), method, params, oneWay);
        AuditEvent event = AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "command.send", "device", deviceId)
                .withDetail("command_id", command.id().toString())
                .withDetail("method", method);
        CompletableFuture<String> response = new CompletableFuture<>();
        if (!oneWay) {
            pending.put(command.id(), new Pending(deviceId, response));
        }
        try {
            switch (deliver(deviceId, command)) {
                case NO_NODE -> {
                    audit.record(event.withOutcome("offline"));
                    throw ProblemException.conflict(
                            "the device is offline: it holds no connection that takes commands");
                }
                case TOO_LARGE -> {
                    audit.record(event.withOutcome("too_large"));
                    throw ProblemException.of(
                            HttpStatus.CONTENT_TOO_LARGE,
                            "the device is connected to another node, and method and params are too large to"
                                    + " reach it; send at most about " + CommandRelay.MAX_PAYLOAD * 3 / 4 / 1024
                                    + " KiB",
                            null);
                }
                case DELIVERED -> {}
            }
            if (oneWay) {
                audit.record(event.withOutcome("delivered"));
                return new Outcome(command.id(), "delivered", null);
            }
            String answer = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            audit.record(event.withOutcome("answered"));
            return new Outcome(command.id(), "answered", answer);
        } catch (TimeoutException e) {
            audit.record(event.withOutcome("timeout"));
            throw ProblemException.gatewayTimeout("the device did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pending.remove(command.id());
        }
    }

    /**
     * A one-way command on the platform's own behalf (a rule's action), audited under {@code actor}:
     * false when the device is offline or gone, so that the caller can try again later.
     */
    public boolean deliver(TenantId tenant, UUID deviceId, String method, String params, AuditEvent.Actor actor) {
        if (!devices.exists(tenant, deviceId)) {
            return false;
        }
        DeviceCommand command = new DeviceCommand(Ids.newId(), method, params, true);
        AuditEvent event = AuditEvent.success(tenant, actor, "command.send", "device", deviceId)
                .withDetail("command_id", command.id().toString())
                .withDetail("method", method);
        CommandRelay.Offer delivery;
        try {
            delivery = deliver(deviceId, command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (delivery != CommandRelay.Offer.DELIVERED) {
            audit.record(event.withOutcome("offline"));
            return false;
        }
        audit.record(event.withOutcome("delivered"));
        return true;
    }

    /** To the device's connection on this node, or else through the node that holds one. */
    private CommandRelay.Offer deliver(UUID deviceId, DeviceCommand command) throws InterruptedException {
        var channel = channels.channelOf(deviceId);
        if (channel.isPresent()) {
            channel.get().accept(command);
            return CommandRelay.Offer.DELIVERED;
        }
        return relay.offer(deviceId, command);
    }

    /**
     * A device's answer to a command, as the device sent it; false when no such command of this
     * device is waiting.
     */
    public boolean respond(UUID deviceId, UUID commandId, String answer) {
        Pending waiting = pending.get(commandId);
        if (waiting == null) {
            return relay.answered(deviceId, commandId, answer); // a command another node sent
        }
        if (!waiting.deviceId().equals(deviceId)) {
            return false;
        }
        return waiting.response().complete(asJson(answer));
    }

    /**
     * The answer as JSON text: one JSON value as sent, anything else (plain text, broken JSON) as a
     * JSON string, so that what a device sends can never break the operator's response.
     */
    static String asJson(String answer) {
        try {
            JsonNode value = STRICT_JSON.readerFor(JsonNode.class).readValue(answer);
            if (value != null && !value.isMissingNode()) {
                return STRICT_JSON.writeValueAsString(value);
            }
        } catch (JacksonException notJson) {
            // answered below as text
        }
        return STRICT_JSON.writeValueAsString(answer);
    }
}

package io.insa.iiot.transport.mqtt;

import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.AttributeMessages;
import io.insa.iiot.transport.AttributeSubscriptions;
import java.util.LinkedHashSet;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The device-bound side of a gateway's connection, with ThingsBoard's gateway payloads, which name the
 * sub-device: changes of its sub-devices' shared attributes on {@value #ATTRIBUTES}
 * ({@code {"device": ..., "data": {...}}}), answers to attribute requests on {@value #ATTRIBUTES_RESPONSE}
 * ({@code {"id": n, "device": ..., "value" | "values": ...}}), and commands to the sub-devices connected
 * through it on {@value #RPC} ({@code {"device": ..., "data": {"id": n, "method": ..., "params": ...}}}),
 * which the gateway answers on the same topic ({@code {"device": ..., "id": n, "data": ...}}).
 */
final class MqttGatewayDownlink {

    static final String ATTRIBUTES = "v1/gateway/attributes";
    static final String ATTRIBUTES_REQUEST = "v1/gateway/attributes/request";
    static final String ATTRIBUTES_RESPONSE = "v1/gateway/attributes/response";
    static final String RPC = "v1/gateway/rpc";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DeviceIdentity self;
    private final MqttGateway gateway;
    private final MqttDownlink.Services services;
    private final MqttOutbox outbox;
    private final MqttCommands commands;
    private volatile AttributeSubscriptions.Subscription attributes;
    private volatile boolean commandsWanted;

    MqttGatewayDownlink(
            DeviceIdentity self,
            MqttGateway gateway,
            MqttDownlink.Services services,
            MqttOutbox outbox,
            MqttCommands commands) {
        this.self = self;
        this.gateway = gateway;
        this.services = services;
        this.outbox = outbox;
        this.commands = commands;
        gateway.listen(this::presence);
    }

    boolean offers(String filter) {
        return gateway.isGateway()
                && Set.of(ATTRIBUTES, ATTRIBUTES_RESPONSE, RPC).contains(filter);
    }

    boolean answers(String topic) {
        return topic.equals(ATTRIBUTES_REQUEST) || topic.equals(RPC);
    }

    IngestResult request(String topic, byte[] payload) {
        if (!gateway.isGateway()) {
            return MqttGateway.notAGateway();
        }
        JsonNode body;
        try {
            body = JSON.readTree(payload);
        } catch (JacksonException e) {
            return MqttGateway.malformed("malformed JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.path("device").isString()) {
            return MqttGateway.malformed("a gateway request names its sub-device: {\"device\": \"name\", ...}");
        }
        MqttGateway.Part sub = gateway.subDevice(body.get("device").asString());
        if (sub.refusal() != null) {
            return sub.refusal();
        }
        if (topic.equals(RPC)) {
            return answered(sub.device(), body);
        }
        // answered rather than stored, but counted against the sub-device's limits as a message
        return services.ingest().admitRequest(sub.device()).orElseGet(() -> attributeRequest(sub.device(), body));
    }

    /** {@code {"id": n, "device": ..., "client": false, "key": "a"}} or {@code "keys": ["a", "b"]}. */
    private IngestResult attributeRequest(DeviceIdentity device, JsonNode body) {
        if (!body.path("id").isNumber() && !body.path("id").isString()) {
            return MqttGateway.malformed("an attribute request has an id");
        }
        Set<String> keys = new LinkedHashSet<>();
        boolean single = body.path("key").isString();
        if (single) {
            keys.add(body.get("key").asString());
        } else if (body.path("keys").isArray()) {
            body.get("keys").forEach(k -> keys.add(k.asString()));
        } else {
            return MqttGateway.malformed("an attribute request names a \"key\" or \"keys\"");
        }
        boolean client = body.path("client").asBoolean(false);
        DeviceAttributes.Readable found = client
                ? services.attributes().forDevice(device, keys, Set.of())
                : services.attributes().forDevice(device, Set.of(), keys);
        ObjectNode values = AttributeMessages.values(client ? found.client() : found.shared());
        ObjectNode response = JSON.createObjectNode();
        response.set("id", body.get("id"));
        response.put("device", device.name());
        if (!single) {
            response.set("values", values);
        } else if (values.has(body.get("key").asString())) {
            response.set("value", values.get(body.get("key").asString()));
        }
        outbox.publish(ATTRIBUTES_RESPONSE, ATTRIBUTES_RESPONSE, JSON.writeValueAsBytes(response));
        return new IngestResult.Accepted(0);
    }

    /** The gateway's answer to a command for a sub-device: {@code {"device": ..., "id": n, "data": ...}}. */
    private IngestResult answered(DeviceIdentity device, JsonNode body) {
        if (!body.path("id").isNumber() && !body.path("id").isString()) {
            return MqttGateway.malformed("an answer to a command has the command's id");
        }
        JsonNode data = body.has("data") ? body.get("data") : JSON.createObjectNode();
        commands.answered(device, body.get("id").asString(), JSON.writeValueAsBytes(data));
        return new IngestResult.Accepted(0);
    }

    void start(String filter) {
        switch (filter) {
            case ATTRIBUTES ->
                attributes = services.subscriptions().gateway(self.deviceId(), change -> {
                    ObjectNode message = JSON.createObjectNode().put("device", change.deviceName());
                    message.set("data", AttributeMessages.changes(change));
                    outbox.publish(ATTRIBUTES, ATTRIBUTES, JSON.writeValueAsBytes(message));
                });
            case RPC -> {
                commandsWanted = true;
                gateway.connected().forEach(this::takeCommands);
            }
            default -> {}
        }
    }

    void stop(String filter) {
        switch (filter) {
            case ATTRIBUTES -> closed();
            case RPC -> {
                commandsWanted = false;
                gateway.connected().forEach(commands::stop);
            }
            default -> {}
        }
    }

    void closed() {
        AttributeSubscriptions.Subscription subscription = attributes;
        if (subscription != null) {
            subscription.close();
            attributes = null;
        }
    }

    /** A sub-device connected or disconnected through the gateway: it takes commands while connected. */
    private void presence(DeviceIdentity device, boolean connected) {
        if (connected && commandsWanted) {
            takeCommands(device);
        } else if (!connected) {
            commands.stop(device);
        }
    }

    private void takeCommands(DeviceIdentity device) {
        commands.listen(
                device, (requestId, command) -> outbox.publish(RPC, RPC, commandFor(device, requestId, command)));
    }

    private static byte[] commandFor(DeviceIdentity device, String requestId, DeviceCommand command) {
        ObjectNode data =
                JSON.createObjectNode().put("id", Integer.parseInt(requestId)).put("method", command.method());
        data.set("params", JSON.readTree(command.params()));
        ObjectNode message = JSON.createObjectNode().put("device", device.name());
        message.set("data", data);
        return JSON.writeValueAsBytes(message);
    }
}

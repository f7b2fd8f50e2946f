package io.insa.iiot.transport.mqtt;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Devices;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.ingest.IngestResult.Reason;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.transport.DeviceConnections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway API on one gateway's connection: {@code v1/gateway/connect}, {@code disconnect},
 * {@code telemetry} and {@code attributes}, with payloads keyed by sub-device name. Sub-devices are
 * found by name in the gateway's tenant and created on first sight within its device quota; each
 * sub-device's part goes through the ingest pipeline as that device's own message. Only devices of
 * type {@code gateway} may use it.
 */
final class MqttGateway {

    static final String TYPE = "gateway";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DeviceIdentity gateway;
    private final Devices devices;
    private final DeviceConnections connections;
    private final Executor blocking;
    private final Map<String, DeviceIdentity> subDevices = new ConcurrentHashMap<>();
    private final Set<DeviceIdentity> connected = ConcurrentHashMap.newKeySet();

    MqttGateway(DeviceIdentity gateway, Devices devices, DeviceConnections connections, Executor blocking) {
        this.gateway = gateway;
        this.devices = devices;
        this.connections = connections;
        this.blocking = blocking;
    }

    /** {@code {"Device A": <telemetry or attributes payload>, ...}}: done when every part is. */
    CompletableFuture<IngestResult> upload(
            byte[] payload, BiFunction<DeviceIdentity, byte[], CompletableFuture<IngestResult>> kind) {
        if (!gateway.type().equals(TYPE)) {
            return done(notAGateway());
        }
        JsonNode envelope;
        try {
            envelope = JSON.readTree(payload);
        } catch (JacksonException e) {
            return done(malformed("malformed JSON: " + e.getOriginalMessage()));
        }
        if (!envelope.isObject() || envelope.isEmpty()) {
            return done(malformed("a gateway message is a JSON object keyed by device name"));
        }
        List<CompletableFuture<IngestResult>> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> part : envelope.properties()) {
            IngestResult refused = resolve(part.getKey(), null);
            if (refused != null) {
                return done(refused);
            }
            parts.add(kind.apply(subDevices.get(part.getKey()), JSON.writeValueAsBytes(part.getValue())));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> combine(parts));
    }

    /** {@code {"device": "Device A", "type": "sensor"}}: the sub-device is connected through this gateway. */
    CompletableFuture<IngestResult> connect(byte[] payload) {
        return presence(payload, true);
    }

    CompletableFuture<IngestResult> disconnect(byte[] payload) {
        return presence(payload, false);
    }

    /** The gateway's connection closed: so did its sub-devices'. */
    void closed() {
        connected.forEach(device -> connections.closed(device, blocking));
        connected.clear();
    }

    private CompletableFuture<IngestResult> presence(byte[] payload, boolean connecting) {
        if (!gateway.type().equals(TYPE)) {
            return done(notAGateway());
        }
        JsonNode message;
        try {
            message = JSON.readTree(payload);
        } catch (JacksonException e) {
            return done(malformed("malformed JSON: " + e.getOriginalMessage()));
        }
        if (!message.path("device").isString()) {
            return done(malformed("expected {\"device\": \"name\"[, \"type\": \"type\"]}"));
        }
        String name = message.get("device").stringValue();
        IngestResult refused = resolve(
                name, message.path("type").isString() ? message.get("type").stringValue() : null);
        if (refused != null) {
            return done(refused);
        }
        DeviceIdentity device = subDevices.get(name);
        if (connecting && connected.add(device)) {
            connections.opened(device, blocking);
        } else if (!connecting && connected.remove(device)) {
            connections.closed(device, blocking);
        }
        return done(new IngestResult.Accepted(0));
    }

    /** Looks up or creates the sub-device; the refusal when that is not possible, else null. */
    private IngestResult resolve(String name, String type) {
        if (name.isBlank() || name.length() > 200) {
            return malformed("device names have 1 to 200 characters");
        }
        if (subDevices.containsKey(name)) {
            return null;
        }
        try {
            subDevices.put(name, devices.gatewayDevice(gateway, name.strip(), type == null ? "default" : type));
            return null;
        } catch (ProblemException e) {
            return new IngestResult.Rejected(
                    e.status() == 422 ? Reason.QUOTA_EXCEEDED : Reason.MALFORMED, e.detail(), null);
        }
    }

    private static IngestResult combine(List<CompletableFuture<IngestResult>> parts) {
        int points = 0;
        for (CompletableFuture<IngestResult> part : parts) {
            IngestResult result = part.join();
            if (!(result instanceof IngestResult.Accepted accepted)) {
                return result;
            }
            points += accepted.points();
        }
        return new IngestResult.Accepted(points);
    }

    private static IngestResult malformed(String detail) {
        return new IngestResult.Rejected(Reason.MALFORMED, detail, null);
    }

    private static IngestResult notAGateway() {
        return new IngestResult.Rejected(null, "only devices of type 'gateway' may use the gateway topics", null);
    }

    private static CompletableFuture<IngestResult> done(IngestResult result) {
        return CompletableFuture.completedFuture(result);
    }
}

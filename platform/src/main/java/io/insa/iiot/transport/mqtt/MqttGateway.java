package io.insa.iiot.transport.mqtt;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Gateways;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.ingest.IngestResult.Reason;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.DeviceSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway API on one gateway's connection: {@code v1/gateway/connect}, {@code disconnect},
 * {@code telemetry} and {@code attributes}, with payloads keyed by sub-device name. A gateway writes
 * only for its own sub-devices: those it created (on first sight, within the tenant's device quota)
 * and those an operator assigned to it. Naming any other device of the tenant refuses the whole
 * message as not authorized. The parts of a message are admitted whole or not at all and stored
 * in one transaction, each as its sub-device's own data. Only devices of type {@code gateway} may use it.
 */
final class MqttGateway {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A sub-device this connection may write for, until a change on any node ends that. */
    private static final class SubDevice {
        final DeviceIdentity device;
        volatile DeviceSessions.Registration access;

        SubDevice(DeviceIdentity device) {
            this.device = device;
        }

        void close() {
            DeviceSessions.Registration registered = access;
            if (registered != null) {
                registered.close();
            }
        }
    }

    /** A sub-device's part of a message: the device, or why the gateway may not write for it. */
    record Part(DeviceIdentity device, byte[] payload, IngestResult refusal) {}

    /** Told when a sub-device connects (true) or disconnects (false) through this gateway. */
    interface Presence {
        void changed(DeviceIdentity device, boolean connected);
    }

    private final DeviceIdentity gateway;
    private final DeviceEdge edge;
    private final Map<String, SubDevice> subDevices = new ConcurrentHashMap<>();
    private final Set<DeviceIdentity> connected = ConcurrentHashMap.newKeySet();
    private volatile Presence presence = (device, on) -> {};

    MqttGateway(DeviceIdentity gateway, DeviceEdge edge) {
        this.gateway = gateway;
        this.edge = edge;
    }

    /**
     * {@code {"Device A": <telemetry or attributes payload>, ...}}: done when every part is. Every
     * sub-device is resolved before any part is sent, so a refused one refuses the message whole.
     */
    CompletableFuture<IngestResult> upload(
            byte[] payload, Function<List<Ingest.Part>, CompletableFuture<IngestResult>> kind) {
        if (!isGateway()) {
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
        List<Ingest.Part> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : envelope.properties()) {
            Part part = resolve(entry.getKey(), null, JSON.writeValueAsBytes(entry.getValue()));
            if (part.refusal() != null) {
                return done(part.refusal());
            }
            parts.add(new Ingest.Part(part.device(), part.payload()));
        }
        return kind.apply(parts); // admitted whole or not at all, and stored in one transaction
    }

    /** {@code {"device": "Device A", "type": "sensor"}}: the sub-device is connected through this gateway. */
    CompletableFuture<IngestResult> connect(byte[] payload) {
        return presence(payload, true);
    }

    CompletableFuture<IngestResult> disconnect(byte[] payload) {
        return presence(payload, false);
    }

    /** From now on {@code listener} hears of sub-devices connecting and disconnecting. */
    void listen(Presence listener) {
        presence = listener;
    }

    /** The sub-devices connected through this gateway now. */
    Set<DeviceIdentity> connected() {
        return Set.copyOf(connected);
    }

    /** The gateway's connection closed: so did its sub-devices'. */
    void closed() {
        connected.forEach(device -> edge.offline(device));
        connected.forEach(device -> presence.changed(device, false));
        connected.clear();
        subDevices.values().forEach(SubDevice::close);
        subDevices.clear();
    }

    private CompletableFuture<IngestResult> presence(byte[] payload, boolean connecting) {
        if (!isGateway()) {
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
        Part part = resolve(
                message.get("device").stringValue(),
                message.path("type").isString() ? message.get("type").stringValue() : null,
                null);
        if (part.refusal() != null) {
            return done(part.refusal());
        }
        if (connecting && connected.add(part.device())) {
            edge.online(part.device());
            presence.changed(part.device(), true);
        } else if (!connecting && connected.remove(part.device())) {
            edge.offline(part.device());
            presence.changed(part.device(), false);
        }
        return done(new IngestResult.Accepted(0));
    }

    /**
     * The sub-device a request of the gateway names (looked up or created, as for data), or why the
     * gateway may not act for it. Waits for the database.
     */
    Part subDevice(String name) {
        return isGateway() ? resolve(name, null, null) : new Part(null, null, notAGateway());
    }

    /** Looks up or creates the sub-device, and checks that this gateway may write for it. */
    private Part resolve(String name, String type, byte[] payload) {
        if (name.isBlank() || name.length() > 200) {
            return new Part(null, payload, malformed("device names have 1 to 200 characters"));
        }
        SubDevice known = subDevices.get(name);
        if (known != null) {
            return new Part(known.device, payload, null);
        }
        long stamp = edge.stamp();
        DeviceIdentity device;
        try {
            device = edge.subDevice(gateway, name.strip(), type == null ? "default" : type);
        } catch (ProblemException e) {
            return new Part(null, payload, refusal(e));
        }
        SubDevice sub = new SubDevice(device);
        SubDevice previous = subDevices.put(name, sub);
        if (previous != null) {
            previous.close();
        }
        sub.access = edge.subDeviceAccess(device.deviceId(), stamp, () -> forget(name, sub));
        if (subDevices.get(name) != sub) {
            sub.close(); // forgotten while it registered
        }
        return new Part(device, payload, null);
    }

    /** The device was deleted or left this gateway: the next message naming it looks it up again. */
    private void forget(String name, SubDevice sub) {
        if (subDevices.remove(name, sub)) {
            sub.close();
            if (connected.remove(sub.device)) {
                edge.offline(sub.device);
                presence.changed(sub.device, false);
            }
        }
    }

    private static IngestResult refusal(ProblemException e) {
        return switch (e.status()) {
            case 422 -> new IngestResult.Rejected(Reason.QUOTA_EXCEEDED, e.detail(), null);
            case 403 -> new IngestResult.Rejected(null, e.detail(), null); // not authorized
            default -> malformed(e.detail());
        };
    }

    boolean isGateway() {
        return gateway.type().equals(Gateways.GATEWAY_TYPE);
    }

    static IngestResult malformed(String detail) {
        return new IngestResult.Rejected(Reason.MALFORMED, detail, null);
    }

    static IngestResult notAGateway() {
        return new IngestResult.Rejected(null, "only devices of type 'gateway' may use the gateway topics", null);
    }

    private static CompletableFuture<IngestResult> done(IngestResult result) {
        return CompletableFuture.completedFuture(result);
    }
}

package io.insa.iiot.transport.mqtt;

import io.insa.iiot.command.ClientRpc;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.AttributeMessages;
import io.insa.iiot.transport.AttributeSubscriptions;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The device-bound side of one MQTT connection, on ThingsBoard's topics: the topics a device may
 * subscribe to (commands, shared attribute changes, answers to its own requests, and a gateway's
 * three), and the requests a device publishes that are answered rather than stored (attribute
 * requests, client-side RPC, answers to commands). A gateway's topics are {@link MqttGatewayDownlink}'s.
 */
final class MqttDownlink {

    static final String ATTRIBUTES = "v1/devices/me/attributes";
    static final String ATTRIBUTES_REQUEST_PREFIX = "v1/devices/me/attributes/request/";
    static final String ATTRIBUTES_RESPONSE_PREFIX = "v1/devices/me/attributes/response/";
    static final String ATTRIBUTES_RESPONSES = ATTRIBUTES_RESPONSE_PREFIX + "+";
    static final String COMMAND_REQUEST_PREFIX = "v1/devices/me/rpc/request/";
    static final String COMMANDS = COMMAND_REQUEST_PREFIX + "+";
    static final String RPC_RESPONSE_PREFIX = "v1/devices/me/rpc/response/";
    static final String RPC_RESPONSES = RPC_RESPONSE_PREFIX + "+";

    /** What the downlink needs of the platform, the same for every connection. */
    record Services(
            Ingest ingest,
            CommandChannels channels,
            Commands commands,
            ClientRpc clientRpc,
            DeviceAttributes attributes,
            AttributeSubscriptions subscriptions,
            ExecutorService blocking) {}

    private static final Set<String> DEVICE_FILTERS = Set.of(ATTRIBUTES, ATTRIBUTES_RESPONSES, COMMANDS, RPC_RESPONSES);

    private final DeviceIdentity device;
    private final Services services;
    private final MqttOutbox outbox;
    private final MqttCommands commands;
    private final MqttGatewayDownlink gateway;
    private final Map<String, AttributeSubscriptions.Subscription> listening = new ConcurrentHashMap<>();

    MqttDownlink(DeviceIdentity device, MqttGateway gateway, Services services, MqttOutbox outbox) {
        this.device = device;
        this.services = services;
        this.outbox = outbox;
        this.commands = new MqttCommands(services.channels(), services.commands());
        this.gateway = new MqttGatewayDownlink(device, gateway, services, outbox, commands);
    }

    /** Whether a PUBLISH to the topic is a request this class answers. */
    boolean answers(String topic) {
        return topic.startsWith(ATTRIBUTES_REQUEST_PREFIX)
                || topic.startsWith(COMMAND_REQUEST_PREFIX)
                || topic.startsWith(RPC_RESPONSE_PREFIX)
                || gateway.answers(topic);
    }

    /** Answers a request; done (as accepted, storing nothing) once its answer is on its way. Waits for the database. */
    IngestResult request(String topic, byte[] payload) {
        if (topic.startsWith(RPC_RESPONSE_PREFIX)) {
            commands.answered(device, topic.substring(RPC_RESPONSE_PREFIX.length()), payload);
            return new IngestResult.Accepted(0);
        }
        if (topic.startsWith(ATTRIBUTES_REQUEST_PREFIX) || topic.startsWith(COMMAND_REQUEST_PREFIX)) {
            // answered rather than stored, but counted against the same limits as a message
            Optional<IngestResult> refused = services.ingest().admitRequest(device);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        if (topic.startsWith(ATTRIBUTES_REQUEST_PREFIX)) {
            AttributeMessages.Request request;
            try {
                request = AttributeMessages.request(payload);
            } catch (IllegalArgumentException e) {
                return MqttGateway.malformed(e.getMessage());
            }
            DeviceAttributes.Readable found =
                    services.attributes().forDevice(device, request.clientKeys(), request.sharedKeys());
            String requestId = topic.substring(ATTRIBUTES_REQUEST_PREFIX.length());
            outbox.publish(
                    ATTRIBUTES_RESPONSES, ATTRIBUTES_RESPONSE_PREFIX + requestId, AttributeMessages.response(found));
            return new IngestResult.Accepted(0);
        }
        if (topic.startsWith(COMMAND_REQUEST_PREFIX)) {
            String answer = services.clientRpc().answer(device, payload);
            String requestId = topic.substring(COMMAND_REQUEST_PREFIX.length());
            outbox.publish(RPC_RESPONSES, RPC_RESPONSE_PREFIX + requestId, answer.getBytes(StandardCharsets.UTF_8));
            return new IngestResult.Accepted(0);
        }
        return gateway.request(topic, payload);
    }

    /**
     * The reason code for each filter of a SUBSCRIBE: granted (at most QoS 1) for the topics above,
     * {@code refused} for any other.
     */
    List<MqttSubAckReasonCode> grant(MqttSubscribeMessage message, MqttSubAckReasonCode refused) {
        List<MqttSubAckReasonCode> codes = new ArrayList<>();
        message.topicSubscriptions().forEach(s -> {
            String filter = s.topicName();
            if (DEVICE_FILTERS.contains(filter) || gateway.offers(filter)) {
                MqttQoS qos = s.qualityOfService().value() > 1 ? MqttQoS.AT_LEAST_ONCE : s.qualityOfService();
                codes.add(MqttSubAckReasonCode.qosGranted(qos));
            } else {
                codes.add(refused);
            }
        });
        return codes;
    }

    /** After the SUBACK: what was granted starts flowing. */
    void subscribed(MqttSubscribeMessage message, List<MqttSubAckReasonCode> codes) {
        for (int i = 0; i < codes.size(); i++) {
            if (codes.get(i).value() > 2) {
                continue;
            }
            String filter = message.topicSubscriptions().get(i).topicName();
            boolean first = !outbox.subscribed(filter);
            outbox.granted(filter, MqttQoS.valueOf(codes.get(i).value()));
            if (first) {
                start(filter);
            }
        }
    }

    void unsubscribed(List<String> filters) {
        filters.forEach(filter -> {
            outbox.unsubscribed(filter);
            stop(filter);
        });
    }

    private void start(String filter) {
        switch (filter) {
            case COMMANDS ->
                commands.listen(
                        device,
                        (requestId, command) -> outbox.publish(
                                COMMANDS,
                                COMMAND_REQUEST_PREFIX + requestId,
                                command.json().getBytes(StandardCharsets.UTF_8)));
            case ATTRIBUTES ->
                listening.put(
                        filter,
                        services.subscriptions()
                                .device(
                                        device.deviceId(),
                                        change -> outbox.publish(
                                                ATTRIBUTES, ATTRIBUTES, AttributeMessages.update(change))));
            default -> gateway.start(filter);
        }
    }

    private void stop(String filter) {
        switch (filter) {
            case COMMANDS -> commands.stop(device);
            case ATTRIBUTES -> {
                AttributeSubscriptions.Subscription subscription = listening.remove(filter);
                if (subscription != null) {
                    subscription.close();
                }
            }
            default -> gateway.stop(filter);
        }
    }

    /** The connection closed: nothing flows to it any more. */
    void closed() {
        listening.values().forEach(AttributeSubscriptions.Subscription::close);
        listening.clear();
        gateway.closed();
        commands.stopAll();
    }

    /** Answers as a future, for the connection's ordered acknowledgements. */
    CompletableFuture<IngestResult> requestAsync(String topic, byte[] payload) {
        return CompletableFuture.supplyAsync(() -> request(topic, payload), services.blocking());
    }
}

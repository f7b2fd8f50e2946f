package io.insa.iiot.transport.mqtt;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.TransportMetrics;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.Context;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * One MQTT connection of a device (SPEC 5, MQTT column). The device is authenticated from CONNECT:
 * by its token or MQTT credentials, or, on TLS without a password, by its client certificate for the
 * device the username (else the client id) names ({@link MqttLogin}). Topics name no device, so a connection can only ever write as its own device. Every PUBLISH goes
 * to the ingest service, and its acknowledgement (PUBACK for QoS 1, PUBREC for QoS 2) is sent after
 * the message is committed, in the order the messages arrived. Refusals: MQTT 5 gets the reason code
 * and a reason string; MQTT 3.1.1, which has none, is disconnected. When the platform cannot store a
 * message the connection is closed without acknowledging it, so the client sends it again. When the
 * device is deleted or its credentials change, or its certificate stops being trusted, the connection
 * is closed (MQTT 5: DISCONNECT 0x87) and takes nothing more.
 *
 * <p>Who the device is and how long it may stay is the {@link DeviceEdge}'s; how each message is
 * answered is {@link MqttAnswers}', their order and the connection's pace {@link MqttFlow}'s (overload
 * slows the sender down instead of closing the connection; an MQTT 5 client that sends beyond its
 * Receive Maximum breaks the protocol and is disconnected). Fields are touched on the connection's
 * event loop only; admission that may wait runs on virtual threads.
 */
final class MqttSession {

    static final String TELEMETRY = "v1/devices/me/telemetry";
    static final String ATTRIBUTES = "v1/devices/me/attributes";
    static final String GATEWAY_CONNECT = "v1/gateway/connect";
    static final String GATEWAY_DISCONNECT = "v1/gateway/disconnect";
    static final String GATEWAY_TELEMETRY = "v1/gateway/telemetry";
    static final String GATEWAY_ATTRIBUTES = "v1/gateway/attributes";
    static final int MAX_INFLIGHT = MqttFlow.MAX_INFLIGHT;

    private final MqttEndpoint endpoint;
    private final Context context;
    private final DeviceEdge edge;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final ExecutorService blocking;
    private final TransportMetrics metrics;
    private final Set<MqttSession> sessions;
    private final MqttDownlink.Services downlinkServices;
    private final int maxPacketSize;
    private final MqttAnswers answers;
    private final MqttFlow flow;
    private DeviceIdentity device;
    private MqttGateway gateway;
    private MqttDownlink downlink;
    private DeviceEdge.Connection connection;
    /** Set on any thread when the credentials are revoked; from then on nothing is taken. */
    private volatile boolean revoked;

    MqttSession(
            MqttEndpoint endpoint,
            Context context,
            DeviceEdge edge,
            Ingest ingest,
            IngestPressure pressure,
            ExecutorService blocking,
            TransportMetrics metrics,
            Set<MqttSession> sessions,
            MqttDownlink.Services downlinkServices,
            int maxPacketSize) {
        this.endpoint = endpoint;
        this.context = context;
        this.edge = edge;
        this.ingest = ingest;
        this.pressure = pressure;
        this.blocking = blocking;
        this.metrics = metrics;
        this.sessions = sessions;
        this.downlinkServices = downlinkServices;
        this.maxPacketSize = maxPacketSize;
        this.answers = new MqttAnswers(endpoint, metrics);
        this.flow = new MqttFlow(endpoint, context, metrics);
    }

    void start() {
        endpoint.publishAutoAck(false);
        edge.authenticate(MqttLogin.credentials(endpoint))
                .thenAccept(login -> context.runOnContext(v -> connect(login)));
    }

    private void connect(Optional<DeviceEdge.Login> login) {
        if (login.isEmpty()) {
            metrics.refusedConnection("not_authorized");
            endpoint.reject(
                    answers.v5()
                            ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                            : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        device = login.get().device();
        gateway = new MqttGateway(device, edge);
        downlink = new MqttDownlink(device, gateway, downlinkServices, new MqttOutbox(endpoint, context));
        endpoint.publishHandler(this::publish);
        endpoint.publishReleaseHandler(answers::release);
        endpoint.subscribeHandler(this::subscribe);
        endpoint.unsubscribeHandler(m -> {
            downlink.unsubscribed(m.topics());
            endpoint.unsubscribeAcknowledge(m.messageId());
        });
        endpoint.closeHandler(v -> closed());
        MqttProperties properties = new MqttProperties();
        if (answers.v5()) {
            properties.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), MAX_INFLIGHT));
            // the listener's limit (insa.mqtt.max-message-size): a client that knows it sends nothing larger
            properties.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), maxPacketSize));
        }
        endpoint.accept(false, properties);
        sessions.add(this);
        // after joining the sessions: a crossing from now on reaches this one too
        flow.pressure(pressure.isHigh());
        connection = edge.connected(login.get(), this::revoke);
    }

    /** Any thread: the credentials this connection was opened with no longer hold. */
    private void revoke() {
        revoked = true;
        context.runOnContext(v ->
                answers.disconnect(MqttDisconnectReasonCode.NOT_AUTHORIZED, "the device's credentials were revoked"));
    }

    private void publish(MqttPublishMessage message) {
        if (revoked) {
            return; // closing: neither stored nor acknowledged
        }
        if (!flow.taken(answers.v5())) {
            answers.disconnect(
                    MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + MAX_INFLIGHT + " messages awaiting acknowledgement");
            return;
        }
        String topic = message.topicName();
        if (downlink.answers(topic)) {
            // answered, not stored: attribute and RPC requests, answers to commands
            flow.inOrder(
                    downlink.requestAsync(topic, message.payload().getBytes())
                            .exceptionally(e -> new IngestResult.Failed("internal error", Duration.ofSeconds(1))),
                    r -> answers.respond(message, r));
            return;
        }
        if (answers.storedAlready(message)) {
            flow.inOrder(CompletableFuture.completedFuture(null), r -> answers.receivedAgain(message));
            return;
        }
        Function<byte[], CompletableFuture<IngestResult>> kind = switch (topic) {
            case TELEMETRY -> payload -> ingest.telemetry(device, payload);
            case ATTRIBUTES -> payload -> ingest.attributes(device, payload);
            case GATEWAY_TELEMETRY -> payload -> gateway.upload(payload, ingest::telemetry);
            case GATEWAY_ATTRIBUTES -> payload -> gateway.upload(payload, ingest::attributes);
            case GATEWAY_CONNECT -> gateway::connect;
            case GATEWAY_DISCONNECT -> gateway::disconnect;
            default -> null;
        };
        if (kind == null) {
            IngestResult refused = new IngestResult.Rejected(
                    null, "topic '" + topic + "' is not open to devices; use " + TELEMETRY + " or " + ATTRIBUTES, null);
            flow.inOrder(CompletableFuture.completedFuture(refused), r -> answers.respond(message, r));
            return;
        }
        byte[] payload = message.payload().getBytes();
        if (pressure.admissionStarted()) {
            // above the high-water mark: this connection reads no more until the queue is back at the low one
            flow.pressure(true);
        }
        // a device's own message admitted from memory is handed over here, on the event loop: one
        // thread hand-off fewer per message; a gateway's may create sub-devices, which waits for the database
        boolean direct =
                (topic.equals(TELEMETRY) || topic.equals(ATTRIBUTES)) && ingest.admitsWithoutWaiting(device.tenantId());
        CompletableFuture<IngestResult> result = (direct
                        ? admit(kind, payload)
                        : CompletableFuture.supplyAsync(() -> admit(kind, payload), blocking)
                                .thenCompose(f -> f))
                .exceptionally(e -> new IngestResult.Failed("internal error", Duration.ofSeconds(1)));
        flow.inOrder(result, r -> answers.respond(message, r));
    }

    private CompletableFuture<IngestResult> admit(
            Function<byte[], CompletableFuture<IngestResult>> kind, byte[] payload) {
        try {
            return kind.apply(payload);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // answered, whichever thread it was thrown on
        } finally {
            pressure.admissionEnded();
        }
    }

    /** On the event loop: the ingest queue went above its high-water mark (true) or back below the low one. */
    void pressure(boolean high) {
        flow.pressure(high);
    }

    Context context() {
        return context;
    }

    /** Only the topics of ThingsBoard's device API that carry data to the device ({@link MqttDownlink}). */
    private void subscribe(MqttSubscribeMessage message) {
        List<MqttSubAckReasonCode> codes = downlink.grant(message, refusedSubscription());
        endpoint.subscribeAcknowledge(message.messageId(), codes, MqttProperties.NO_PROPERTIES);
        downlink.subscribed(message, codes);
    }

    /** MQTT 5 says why; MQTT 3.1.1 knows one failure code only (0x80), and a client takes any other as a protocol error. */
    private MqttSubAckReasonCode refusedSubscription() {
        return answers.v5() ? MqttSubAckReasonCode.TOPIC_FILTER_INVALID : MqttSubAckReasonCode.UNSPECIFIED_ERROR;
    }

    private void closed() {
        sessions.remove(this);
        flow.closed();
        if (connection != null) {
            connection.close();
            downlink.closed();
            gateway.closed();
        }
    }

    /** At shutdown: waits for what this connection admitted to be acknowledged, then closes it. */
    void drainAndClose() {
        flow.drain();
        context.runOnContext(v -> {
            if (endpoint.isConnected()) {
                endpoint.close();
            }
        });
    }
}

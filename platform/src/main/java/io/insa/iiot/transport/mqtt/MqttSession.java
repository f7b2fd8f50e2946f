package io.insa.iiot.transport.mqtt;

import io.insa.iiot.device.CertificateLogin;
import io.insa.iiot.device.DeviceCertificates;
import io.insa.iiot.device.DeviceCredentials;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Gateways;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestPressure;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.DeviceConnections;
import io.insa.iiot.transport.DeviceSessions;
import io.insa.iiot.transport.TransportMetrics;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One MQTT connection of a device (SPEC 5, MQTT column). The device is authenticated from CONNECT:
 * by its token or MQTT credentials, or, on TLS without a password, by its client certificate for the
 * device the username (else the client id) names ({@link DeviceCertificates}). Topics name no device, so a connection can only ever write as its own device. Every PUBLISH goes
 * to the ingest service, and its acknowledgement (PUBACK for QoS 1, PUBREC for QoS 2) is sent after
 * the message is committed, in the order the messages arrived. Refusals: MQTT 5 gets the reason code
 * and a reason string; MQTT 3.1.1, which has none, is disconnected. When the platform cannot store a
 * message the connection is closed without acknowledging it, so the client sends it again. When the
 * device is deleted or its credentials change, or its certificate stops being trusted, the connection
 * is closed (MQTT 5: DISCONNECT 0x87) and takes nothing more.
 *
 * <p>Overload slows the sender down instead of closing the connection (SPEC 10, 11): while the ingest
 * queue is high, the transport pauses the reads of every connection; an MQTT 3.1.1 connection, which
 * is told no Receive Maximum, is also paused while it has {@value #MAX_INFLIGHT} messages awaiting
 * acknowledgement. An MQTT 5 client that sends beyond its Receive Maximum breaks the protocol and is
 * disconnected.
 *
 * <p>Fields are touched on the connection's event loop only; blocking work (authentication, ingest
 * admission) runs on virtual threads.
 */
final class MqttSession {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MqttSession.class);

    static final String TELEMETRY = "v1/devices/me/telemetry";
    static final String ATTRIBUTES = "v1/devices/me/attributes";
    static final String COMMANDS = "v1/devices/me/rpc/request/+";
    static final String COMMAND_RESPONSE_PREFIX = "v1/devices/me/rpc/response/";
    static final String COMMAND_REQUEST_PREFIX = "v1/devices/me/rpc/request/";
    static final String GATEWAY_CONNECT = "v1/gateway/connect";
    static final String GATEWAY_DISCONNECT = "v1/gateway/disconnect";
    static final String GATEWAY_TELEMETRY = "v1/gateway/telemetry";
    static final String GATEWAY_ATTRIBUTES = "v1/gateway/attributes";
    static final int MAX_INFLIGHT = 100;
    static final int MQTT_5 = 5;

    private final MqttEndpoint endpoint;
    private final DeviceCertificates certificates;
    private final Context context;
    private final DeviceCredentials devices;
    private final Gateways gateways;
    private final Ingest ingest;
    private final IngestPressure pressure;
    private final ExecutorService blocking;
    private final TransportMetrics metrics;
    private final Set<MqttSession> sessions;
    private final DeviceConnections connections;
    private final MqttCommands commands;
    private final DeviceSessions deviceSessions;
    private final Set<Integer> awaitingRelease = new HashSet<>();
    private DeviceIdentity device;
    private MqttGateway gateway;
    private DeviceSessions.Registration session;
    /** Set on any thread when the credentials are revoked; from then on nothing is taken. */
    private volatile boolean revoked;

    private CompletableFuture<Void> acknowledged = CompletableFuture.completedFuture(null);
    private int inflight;
    /** Reads are paused while the ingest queue is high, or (MQTT 3.1.1) while too much awaits acknowledgement. */
    private boolean pausedForPressure;

    private boolean pausedForInflight;
    private boolean paused;

    MqttSession(
            MqttEndpoint endpoint,
            Context context,
            DeviceCredentials devices,
            Gateways gateways,
            Ingest ingest,
            IngestPressure pressure,
            ExecutorService blocking,
            TransportMetrics metrics,
            Set<MqttSession> sessions,
            DeviceConnections connections,
            DeviceSessions deviceSessions,
            MqttCommands commands,
            DeviceCertificates certificates) {
        this.endpoint = endpoint;
        this.certificates = certificates;
        this.context = context;
        this.devices = devices;
        this.gateways = gateways;
        this.ingest = ingest;
        this.pressure = pressure;
        this.blocking = blocking;
        this.metrics = metrics;
        this.sessions = sessions;
        this.connections = connections;
        this.deviceSessions = deviceSessions;
        this.commands = commands;
    }

    /** Who authenticated: the device, and the certificate that vouched for it (null for credentials). */
    private record Login(DeviceIdentity device, CertificateLogin certificate) {}

    void start() {
        endpoint.publishAutoAck(false);
        String clientId = endpoint.clientIdentifier();
        String username = endpoint.auth() == null ? null : endpoint.auth().getUsername();
        String password = endpoint.auth() == null ? null : endpoint.auth().getPassword();
        long stamp = deviceSessions.stamp();
        // a certificate login names its device (username, else client id) and has no password
        String claimed = username == null || username.isEmpty() ? clientId : username;
        X509Certificate[] presented =
                (password == null || password.isEmpty()) && DeviceCertificates.namesADevice(claimed)
                        ? presentedCertificates()
                        : null;
        CompletableFuture.supplyAsync(
                        () -> presented != null
                                ? certificates
                                        .authenticate(claimed, presented)
                                        .map(login -> new Login(login.device(), login))
                                : devices.authenticateMqtt(clientId, username, password)
                                        .map(device -> new Login(device, null)),
                        blocking)
                .whenComplete((found, error) -> {
                    if (error != null) {
                        log.warn("MQTT authentication failed: {}", error.toString(), error);
                    }
                    context.runOnContext(v -> connect(error == null ? found : Optional.empty(), stamp));
                });
    }

    /** The client certificate chain of a TLS connection; null when there is none. */
    private X509Certificate[] presentedCertificates() {
        if (!endpoint.isSsl() || endpoint.sslSession() == null) {
            return null;
        }
        try {
            Certificate[] chain = endpoint.sslSession().getPeerCertificates();
            return java.util.Arrays.stream(chain)
                    .filter(X509Certificate.class::isInstance)
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }

    private void connect(Optional<Login> found, long stamp) {
        if (found.isEmpty()) {
            metrics.refusedConnection("not_authorized");
            endpoint.reject(
                    v5()
                            ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                            : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        device = found.get().device();
        gateway = new MqttGateway(device, gateways, connections, deviceSessions, blocking);
        endpoint.publishHandler(this::publish);
        endpoint.publishReleaseHandler(this::release);
        endpoint.subscribeHandler(this::subscribe);
        endpoint.unsubscribeHandler(m -> endpoint.unsubscribeAcknowledge(m.messageId()));
        endpoint.closeHandler(v -> closed());
        MqttProperties properties = new MqttProperties();
        if (v5()) {
            properties.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), MAX_INFLIGHT));
        }
        endpoint.accept(false, properties);
        sessions.add(this);
        // after joining the sessions: a crossing from now on reaches this one too
        pressure(pressure.isHigh());
        connections.opened(device, blocking);
        CertificateLogin certificate = found.get().certificate();
        session = certificate != null
                ? deviceSessions.certificateOf(certificate, stamp, this::revoke)
                : deviceSessions.credentialsOf(device.deviceId(), stamp, this::revoke);
    }

    /** Any thread: the credentials this connection was opened with no longer hold. */
    private void revoke() {
        revoked = true;
        context.runOnContext(
                v -> disconnect(MqttDisconnectReasonCode.NOT_AUTHORIZED, "the device's credentials were revoked"));
    }

    private void publish(MqttPublishMessage message) {
        if (revoked) {
            return; // closing: neither stored nor acknowledged
        }
        int id = message.messageId();
        if (++inflight > MAX_INFLIGHT && v5()) {
            disconnect(
                    MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + MAX_INFLIGHT + " messages awaiting acknowledgement");
            return;
        }
        if (inflight >= MAX_INFLIGHT) {
            pausedForInflight = true; // MQTT 3.1.1 knows no Receive Maximum: stop reading instead of closing
            applyPause();
        }
        if (message.topicName().startsWith(COMMAND_RESPONSE_PREFIX)) {
            String requestId = message.topicName().substring(COMMAND_RESPONSE_PREFIX.length());
            byte[] answer = message.payload().getBytes();
            blocking.execute(() -> commands.answered(device, requestId, answer));
            inOrder(CompletableFuture.completedFuture(null), r -> acknowledge(message));
            return;
        }
        if (message.qosLevel() == MqttQoS.EXACTLY_ONCE && awaitingRelease.contains(id)) {
            // a resent PUBLISH whose PUBREC was lost: stored once already
            inOrder(CompletableFuture.completedFuture(null), r -> endpoint.publishReceived(id));
            return;
        }
        Function<byte[], CompletableFuture<IngestResult>> kind = switch (message.topicName()) {
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
                    null,
                    "topic '" + message.topicName() + "' is not open to devices; use " + TELEMETRY + " or "
                            + ATTRIBUTES,
                    null);
            inOrder(CompletableFuture.completedFuture(refused), r -> respond(message, r));
            return;
        }
        byte[] payload = message.payload().getBytes();
        if (pressure.admissionStarted()) {
            // above the high-water mark: this connection reads no more until the queue is back at the low one
            pressure(true);
        }
        // a device's own message admitted from memory is handed over here, on the event loop: one
        // thread hand-off fewer per message; a gateway's may create sub-devices, which waits for the database
        boolean direct =
                (message.topicName().equals(TELEMETRY) || message.topicName().equals(ATTRIBUTES))
                        && ingest.admitsWithoutWaiting(device.tenantId());
        CompletableFuture<IngestResult> result = (direct
                        ? admit(kind, payload)
                        : CompletableFuture.supplyAsync(() -> admit(kind, payload), blocking)
                                .thenCompose(f -> f))
                .exceptionally(e -> new IngestResult.Failed("internal error", Duration.ofSeconds(1)));
        inOrder(result, r -> respond(message, r));
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

    /**
     * Answers a message once {@code ready} completes and every earlier message is answered: MQTT
     * requires acknowledgements in the order the PUBLISHes came (3.1.1 4.6, 5 4.6), whichever batch
     * commits first, and whatever the topic.
     */
    private <T> void inOrder(CompletableFuture<T> ready, Consumer<T> answer) {
        acknowledged = acknowledged
                .thenCombine(ready, (previous, r) -> r)
                .thenAccept(r -> context.runOnContext(v -> {
                    // the answer first: if it closes the connection, the connection is not resumed
                    if (endpoint.isConnected()) {
                        answer.accept(r);
                    }
                    inflight--;
                    if (pausedForInflight && inflight < MAX_INFLIGHT) {
                        pausedForInflight = false;
                        applyPause();
                    }
                }));
    }

    /** A message that needs no storing (a command's answer): acknowledged in its turn. */
    private void acknowledge(MqttPublishMessage message) {
        int id = message.messageId();
        if (message.qosLevel() == MqttQoS.AT_LEAST_ONCE) {
            endpoint.publishAcknowledge(id);
        } else if (message.qosLevel() == MqttQoS.EXACTLY_ONCE) {
            awaitingRelease.add(id);
            endpoint.publishReceived(id);
        }
    }

    /** On the event loop: the ingest queue went above its high-water mark (true) or back below the low one. */
    void pressure(boolean high) {
        pausedForPressure = high;
        applyPause();
    }

    private void applyPause() {
        if (!endpoint.isConnected()) {
            // never read again: what waited in it goes with it (resumed, Vert.x would refuse each message)
            return;
        }
        boolean pause = pausedForPressure || pausedForInflight;
        if (pause == paused) {
            return;
        }
        paused = pause;
        if (pause) {
            SocketReads.pause(endpoint);
            metrics.paused();
        } else {
            SocketReads.resume(endpoint);
            metrics.resumed();
        }
    }

    Context context() {
        return context;
    }

    private void respond(MqttPublishMessage message, IngestResult result) {
        if (!endpoint.isConnected()) {
            return; // the client went away; it sends unacknowledged messages again when it is back
        }
        int id = message.messageId();
        MqttQoS qos = message.qosLevel();
        metrics.message(result);
        switch (result) {
            case IngestResult.Accepted accepted -> acknowledge(message);
            case IngestResult.Rejected rejected -> {
                Code code = Code.of(rejected.reason());
                if (!v5()) {
                    disconnect(null, null);
                } else if (qos == MqttQoS.AT_LEAST_ONCE) {
                    endpoint.publishAcknowledge(id, code.pubAck, reason(rejected.detail()));
                } else if (qos == MqttQoS.EXACTLY_ONCE) {
                    endpoint.publishReceived(id, code.pubRec, reason(rejected.detail()));
                } else {
                    disconnect(code.disconnect, rejected.detail());
                }
            }
            case IngestResult.Failed failed -> {
                disconnect(MqttDisconnectReasonCode.SERVER_BUSY, failed.detail());
            }
        }
    }

    /** The MQTT 5 codes of each refusal (SPEC 5). */
    private enum Code {
        PAYLOAD(
                MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID,
                MqttPubRecReasonCode.PAYLOAD_FORMAT_INVALID,
                MqttDisconnectReasonCode.PAYLOAD_FORMAT_INVALID),
        QUOTA(
                MqttPubAckReasonCode.QUOTA_EXCEEDED,
                MqttPubRecReasonCode.QUOTA_EXCEEDED,
                MqttDisconnectReasonCode.QUOTA_EXCEEDED),
        NOT_AUTHORIZED(
                MqttPubAckReasonCode.NOT_AUTHORIZED,
                MqttPubRecReasonCode.NOT_AUTHORIZED,
                MqttDisconnectReasonCode.NOT_AUTHORIZED);

        final MqttPubAckReasonCode pubAck;
        final MqttPubRecReasonCode pubRec;
        final MqttDisconnectReasonCode disconnect;

        Code(MqttPubAckReasonCode pubAck, MqttPubRecReasonCode pubRec, MqttDisconnectReasonCode disconnect) {
            this.pubAck = pubAck;
            this.pubRec = pubRec;
            this.disconnect = disconnect;
        }

        static Code of(IngestResult.Reason reason) {
            if (reason == null) {
                return NOT_AUTHORIZED;
            }
            return switch (reason) {
                case MALFORMED -> PAYLOAD;
                case RATE_LIMITED, QUOTA_EXCEEDED -> QUOTA;
                case TENANT_SUSPENDED, DEVICE_DELETED -> NOT_AUTHORIZED;
            };
        }
    }

    private void release(int id) {
        awaitingRelease.remove(id);
        endpoint.publishComplete(id);
    }

    /** {@value #COMMANDS} is the one topic a device may subscribe to: commands arrive there. */
    private void subscribe(MqttSubscribeMessage message) {
        List<MqttSubAckReasonCode> codes = message.topicSubscriptions().stream()
                .map(s -> s.topicName().equals(COMMANDS)
                        ? MqttSubAckReasonCode.qosGranted(
                                s.qualityOfService().value() > 1 ? MqttQoS.AT_LEAST_ONCE : s.qualityOfService())
                        : MqttSubAckReasonCode.TOPIC_FILTER_INVALID)
                .toList();
        endpoint.subscribeAcknowledge(message.messageId(), codes, MqttProperties.NO_PROPERTIES);
        if (message.topicSubscriptions().stream().anyMatch(s -> s.topicName().equals(COMMANDS))) {
            commands.listen(
                    device,
                    (requestId, json) -> context.runOnContext(v -> {
                        if (endpoint.isConnected()) {
                            endpoint.publish(
                                    COMMAND_REQUEST_PREFIX + requestId,
                                    Buffer.buffer(json),
                                    MqttQoS.AT_LEAST_ONCE,
                                    false,
                                    false);
                        }
                    }));
        }
    }

    private void disconnect(MqttDisconnectReasonCode code, String detail) {
        if (!endpoint.isConnected()) {
            return;
        }
        if (v5()) {
            endpoint.disconnect(code, reason(detail)); // sends DISCONNECT and closes
        } else {
            endpoint.close();
        }
    }

    private void closed() {
        sessions.remove(this);
        if (paused) {
            paused = false;
            metrics.resumed();
        }
        if (session != null) {
            session.close();
        }
        if (device != null) {
            commands.stop(device);
            gateway.closed();
            connections.closed(device, blocking);
        }
    }

    /** At shutdown: waits for what this connection admitted to be acknowledged, then closes it. */
    void drainAndClose() {
        try {
            acknowledged.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway: unacknowledged messages are sent again by the client
        }
        context.runOnContext(v -> {
            if (endpoint.isConnected()) {
                endpoint.close();
            }
        });
    }

    private boolean v5() {
        return endpoint.protocolVersion() == MQTT_5;
    }

    private static MqttProperties reason(String detail) {
        MqttProperties properties = new MqttProperties();
        properties.add(
                new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), detail));
        return properties;
    }
}

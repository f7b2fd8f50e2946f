package io.insa.iiot.transport.mqtt;

import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.transport.TransportMetrics;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection tells its device of each message (SPEC 5, MQTT column): PUBACK (QoS 1) or PUBREC
 * (QoS 2) once stored; a refusal as MQTT 5's reason code and reason string, or, on MQTT 3.1.1, which has
 * none, as a disconnect; a refused QoS 0 message is counted and logged only; a message that could not
 * be stored as a disconnect without acknowledgement, so that the client sends it again. Event loop only.
 */
final class MqttAnswers {

    private static final Logger log = LoggerFactory.getLogger(MqttAnswers.class);

    static final int MQTT_5 = 5;

    private final MqttEndpoint endpoint;
    private final TransportMetrics metrics;
    /** QoS 2 messages stored and told (PUBREC) whose PUBREL has not come yet */
    private final Set<Integer> awaitingRelease = new HashSet<>();

    private int refusedAtQos0;

    MqttAnswers(MqttEndpoint endpoint, TransportMetrics metrics) {
        this.endpoint = endpoint;
        this.metrics = metrics;
    }

    /** A resent QoS 2 PUBLISH whose PUBREC was lost: it was stored already. */
    boolean storedAlready(MqttPublishMessage message) {
        return message.qosLevel() == MqttQoS.EXACTLY_ONCE && awaitingRelease.contains(message.messageId());
    }

    void receivedAgain(MqttPublishMessage message) {
        endpoint.publishReceived(message.messageId());
    }

    /** The message needs no more: PUBACK, or PUBREC and then PUBCOMP on PUBREL; nothing for QoS 0. */
    void acknowledge(MqttPublishMessage message) {
        int id = message.messageId();
        if (message.qosLevel() == MqttQoS.AT_LEAST_ONCE) {
            endpoint.publishAcknowledge(id);
        } else if (message.qosLevel() == MqttQoS.EXACTLY_ONCE) {
            awaitingRelease.add(id);
            endpoint.publishReceived(id);
        }
    }

    void release(int id) {
        awaitingRelease.remove(id);
        endpoint.publishComplete(id);
    }

    /** Answers what became of a stored or refused message. */
    void respond(MqttPublishMessage message, IngestResult result) {
        if (!endpoint.isConnected()) {
            return; // the client went away; it sends unacknowledged messages again when it is back
        }
        metrics.message(result);
        switch (result) {
            case IngestResult.Accepted accepted -> acknowledge(message);
            case IngestResult.Rejected rejected -> {
                Code code = Code.of(rejected.reason());
                if (message.qosLevel() == MqttQoS.AT_MOST_ONCE) {
                    refusedUnanswered(message, rejected);
                } else if (!v5()) {
                    disconnect(null, null);
                } else if (message.qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                    endpoint.publishAcknowledge(message.messageId(), code.pubAck, reason(rejected.detail()));
                } else {
                    endpoint.publishReceived(message.messageId(), code.pubRec, reason(rejected.detail()));
                }
            }
            case IngestResult.Failed failed -> disconnect(MqttDisconnectReasonCode.SERVER_BUSY, failed.detail());
        }
    }

    /**
     * A QoS 0 message has no answer to carry a refusal, and closing the connection for it only makes
     * the device connect again and send the same (SDKs publishing at QoS 0 loop so): it is counted
     * ({@code insa_transport_messages_total} by reason) and logged, the first of each connection at
     * INFO, the rest at DEBUG.
     */
    private void refusedUnanswered(MqttPublishMessage message, IngestResult.Rejected rejected) {
        if (refusedAtQos0++ == 0) {
            log.info(
                    "QoS 0 message of MQTT client '{}' on '{}' refused: {} (further ones are counted only)",
                    endpoint.clientIdentifier(),
                    message.topicName(),
                    rejected.detail());
        } else {
            log.debug("QoS 0 message on '{}' refused: {}", message.topicName(), rejected.detail());
        }
    }

    /** MQTT 5: DISCONNECT with the code and the detail as reason string, then close; 3.1.1: close. */
    void disconnect(MqttDisconnectReasonCode code, String detail) {
        if (!endpoint.isConnected()) {
            return;
        }
        if (v5()) {
            endpoint.disconnect(code, reason(detail));
        } else {
            endpoint.close();
        }
    }

    boolean v5() {
        return endpoint.protocolVersion() == MQTT_5;
    }

    private static MqttProperties reason(String detail) {
        MqttProperties properties = new MqttProperties();
        properties.add(
                new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), detail));
        return properties;
    }

    /** The MQTT 5 codes of each refusal (SPEC 5). */
    private enum Code {
        PAYLOAD(MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID, MqttPubRecReasonCode.PAYLOAD_FORMAT_INVALID),
        QUOTA(MqttPubAckReasonCode.QUOTA_EXCEEDED, MqttPubRecReasonCode.QUOTA_EXCEEDED),
        NOT_AUTHORIZED(MqttPubAckReasonCode.NOT_AUTHORIZED, MqttPubRecReasonCode.NOT_AUTHORIZED);

        final MqttPubAckReasonCode pubAck;
        final MqttPubRecReasonCode pubRec;

        Code(MqttPubAckReasonCode pubAck, MqttPubRecReasonCode pubRec) {
            this.pubAck = pubAck;
            this.pubRec = pubRec;
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
}

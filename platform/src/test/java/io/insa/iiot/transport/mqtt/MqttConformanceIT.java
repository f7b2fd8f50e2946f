package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * The MQTT listener answers as the version the client speaks requires, so that clients written for
 * ThingsBoard (its SDKs, firmware on paho or PubSubClient) keep their connection: MQTT 3.1.1 knows one
 * SUBACK failure code, 0x80; a refused QoS 0 message has no answer, so it is counted and the connection
 * stays open; an MQTT 5 client is told the largest packet the listener takes, and a larger one is
 * answered with DISCONNECT 0x95 before the close; a client without a client id is accepted, also
 * without a clean session (ThingsBoard's SDKs reconnect so), and an MQTT 5 one is told the id it was
 * given. Real clients: HiveMQ's for 3.1.1 and 5; a plain socket ({@link RawMqtt}) for the bytes a client
 * library does not let a test send or see.
 */
@Timeout(60)
class MqttConformanceIT extends IntegrationTest {

    private static final String UNKNOWN_TOPIC = "v1/devices/me/not-a-topic";

    @Autowired
    MqttTransport transport;

    @Value("${insa.mqtt.max-message-size}")
    int maxMessageSize;

    private static Fixture.Member operator;

    @BeforeEach
    void tenant() {
        if (operator == null) {
            operator = fixture.member(fixture.tenant("Mqtt conformance"), "operator");
        }
    }

    @Test
    void anMqtt311SubscriptionThePlatformRefusesGetsTheFailureCodeAndTheConnectionGoesOn() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("suback3"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt3BlockingClient client = clients().v3(device.token(), closed);

        Mqtt3SubAck subAck;
        try {
            subAck = client.subscribeWith()
                    .topicFilter(UNKNOWN_TOPIC)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
        } catch (Mqtt3SubAckException refused) {
            subAck = refused.getMqttMessage();
        }
        assertThat(subAck.getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE);

        client.publishWith()
                .topic(MqttSession.TELEMETRY)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"after_suback\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(Points.count(device.id(), "after_suback")).isEqualTo(1);
        assertThat(closed).as("closed by the server").isNotDone();
        client.disconnect();
    }

    @Test
    void aRefusedQos0MessageIsCountedAndTheMqtt311ConnectionStaysOpen() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("qos0-3"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt3BlockingClient client = clients().v3(device.token(), closed);
        double refusedBefore = refusedAsNotAuthorized();

        for (String payload : List.of("{\"on\": \"a topic no device may use\"}", "not json")) {
            client.publishWith()
                    .topic(payload.startsWith("{") ? UNKNOWN_TOPIC : MqttSession.TELEMETRY)
                    .qos(MqttQos.AT_MOST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8))
                    .send();
        }
        client.publishWith()
                .topic(MqttSession.TELEMETRY)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"after_qos0\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();

        assertThat(Points.count(device.id(), "after_qos0")).isEqualTo(1);
        assertThat(closed).as("closed by the server").isNotDone();
        assertThat(refusedAsNotAuthorized()).isGreaterThan(refusedBefore);
        client.disconnect();
    }

    @Test
    void aRefusedQos0MessageLeavesAnMqtt5ConnectionOpenToo() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("qos0-5"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt5BlockingClient client = clients().v5(device.token(), closed);

        client.publishWith()
                .topic(UNKNOWN_TOPIC)
                .qos(MqttQos.AT_MOST_ONCE)
                .payload("{\"x\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(MqttTestClients.pubAck(client, MqttSession.TELEMETRY, "{\"after_qos0\": 5}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        assertThat(closed.completeOnTimeout(null, 500, TimeUnit.MILLISECONDS).get())
                .as("closed by the server")
                .isNull();
        client.disconnect();
    }

    @Test
    void anMqtt5ClientIsToldTheLargestPacketItMaySend() {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("max-packet"));
        Mqtt5BlockingClient client = Mqtt5Client.builder()
                .identifier(UUID.randomUUID().toString())
                .serverHost("127.0.0.1")
                .serverPort(transport.port())
                .buildBlocking();
        Mqtt5ConnAck connAck = client.connectWith()
                .simpleAuth()
                .username(device.token())
                .applySimpleAuth()
                .send();
        assertThat(connAck.getRestrictions().getMaximumPacketSize()).isEqualTo(maxMessageSize);
        client.disconnect();
    }

    @Test
    void anMqtt311ClientWithAnEmptyClientIdAndNoCleanSessionIsAcceptedAndItsTelemetryStored() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("empty-id-3"));
        try (RawMqtt client = new RawMqtt(transport.port(), 4)) {
            client.connect("", false, device.token());
            RawMqtt.Packet connAck = client.read();
            assertThat(connAck).isNotNull();
            assertThat(connAck.type()).isEqualTo(RawMqtt.CONNACK);
            assertThat(connAck.body()[1]).as("CONNACK return code").isZero();

            client.publish(MqttSession.TELEMETRY, 1, "{\"empty_id_3\": 1}".getBytes(StandardCharsets.UTF_8));
            RawMqtt.Packet pubAck = client.read();
            assertThat(pubAck).isNotNull();
            assertThat(pubAck.type()).isEqualTo(RawMqtt.PUBACK);
        }
        assertThat(Points.count(device.id(), "empty_id_3")).isEqualTo(1);
    }

    @Test
    void anMqtt5ClientWithoutAClientIdOrCleanStartIsAssignedOneInConnackAndItsTelemetryStored() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("empty-id-5"));
        Mqtt5BlockingClient client = Mqtt5Client.builder() // no identifier: it asks the server for one
                .serverHost("127.0.0.1")
                .serverPort(transport.port())
                .buildBlocking();
        Mqtt5ConnAck connAck = client.connectWith()
                .cleanStart(false)
                .simpleAuth()
                .username(device.token())
                .applySimpleAuth()
                .send();

        assertThat(connAck.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connAck.getAssignedClientIdentifier())
                .hasValueSatisfying(id -> assertThat(id.toString()).isNotBlank());
        assertThat(MqttTestClients.pubAck(client, MqttSession.TELEMETRY, "{\"empty_id_5\": 1}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(Points.count(device.id(), "empty_id_5")).isEqualTo(1);
        client.disconnect();
    }

    @Test
    void aPacketOverTheLimitGetsDisconnectPacketTooLargeOnMqtt5BeforeTheConnectionCloses() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("too-large-5"));
        double countedBefore = messagesCounted("too_large");
        try (RawMqtt client = new RawMqtt(transport.port(), 5)) {
            client.connect("too-large-5-" + UUID.randomUUID(), true, device.token());
            assertThat(client.read().type()).isEqualTo(RawMqtt.CONNACK);

            client.publish(MqttSession.TELEMETRY, 1, new byte[maxMessageSize + 1]);
            RawMqtt.Packet disconnect = client.read();
            assertThat(disconnect).as("a packet before the close").isNotNull();
            assertThat(disconnect.type()).isEqualTo(RawMqtt.DISCONNECT);
            assertThat(disconnect.body()[0] & 0xFF).as("reason code").isEqualTo(0x95);
            assertThat(client.read()).as("closed after the DISCONNECT").isNull();
        }
        assertThat(messagesCounted("too_large")).isGreaterThan(countedBefore);
    }

    @Test
    void aPacketOverTheLimitClosesAnMqtt311ConnectionAndIsCounted() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("too-large-3"));
        double countedBefore = messagesCounted("too_large");
        try (RawMqtt client = new RawMqtt(transport.port(), 4)) {
            client.connect("too-large-3-" + UUID.randomUUID(), true, device.token());
            assertThat(client.read().type()).isEqualTo(RawMqtt.CONNACK);

            client.publish(MqttSession.TELEMETRY, 1, new byte[maxMessageSize + 1]);
            assertThat(client.read())
                    .as("closed, MQTT 3.1.1 having no DISCONNECT from the server")
                    .isNull();
        }
        assertThat(messagesCounted("too_large")).isGreaterThan(countedBefore);
    }

    private MqttTestClients clients() {
        return new MqttTestClients(transport.port());
    }

    /** Messages refused as not authorized (an unknown topic), all MQTT connections together. */
    private double refusedAsNotAuthorized() {
        return messagesCounted("not_authorized");
    }

    /** MQTT messages counted with this outcome, all connections together. */
    private double messagesCounted(String outcome) {
        String metrics = management.get("/actuator/prometheus").send().text();
        return metrics.lines()
                .filter(l -> l.startsWith("insa_transport_messages_total{")
                        && l.contains("outcome=\"" + outcome + "\"")
                        && l.contains("transport=\"mqtt\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}

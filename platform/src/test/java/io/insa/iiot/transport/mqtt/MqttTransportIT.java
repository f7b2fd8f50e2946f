package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The MQTT transport with real clients: HiveMQ's client for MQTT 5 and 3.1.1, and mosquitto_pub
 * (installed by ./iiot test) as an independent one.
 */
class MqttTransportIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    private static Fixture.Member operator;

    @BeforeEach
    void tenant() {
        if (operator == null) {
            operator = fixture.member(fixture.tenant("Mqtt"), "operator");
        }
    }

    @Test
    void mqtt5TelemetryIsCommittedBeforeItsPubAck() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("mqtt5"));
        Mqtt5BlockingClient client = v5(device.token());
        for (int i = 0; i < 20; i++) {
            Mqtt5PublishResult result = client.publishWith()
                    .topic("v1/devices/me/telemetry")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("{\"seq\": " + i + ", \"temperature\": 21.5}").getBytes(StandardCharsets.UTF_8))
                    .send();
            assertThat(result.getError()).isEmpty();
            // the PUBACK is in: the message must be in the database already
            assertThat(Points.count(device.id(), "seq")).isEqualTo(i + 1);
        }
        assertThat(management.get("/actuator/prometheus").send().text())
                .contains(
                        "insa_transport_connections{transport=\"mqtt\"}",
                        "insa_transport_messages_total{outcome=\"accepted\",transport=\"mqtt\"}");
        client.disconnect();
    }

    @Test
    void mqtt311QoS1AndQoS2AreStoredOnceAndQoS0Too() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("mqtt3"));
        Mqtt3BlockingClient client = v3(device.token());
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"q1\": 1}".getBytes())
                .send();
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.EXACTLY_ONCE)
                .payload("{\"q2\": 2}".getBytes())
                .send();
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_MOST_ONCE)
                .payload("{\"q0\": 0}".getBytes())
                .send();
        client.publishWith()
                .topic("v1/devices/me/attributes")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"fw\": \"1.0\"}".getBytes())
                .send();
        client.disconnect();
        assertThat(Points.count(device.id(), "q1")).isEqualTo(1);
        assertThat(Points.count(device.id(), "q2")).isEqualTo(1);
        awaitCount(device.id(), "q0", 1);
        var shown = api.get("/api/v1/devices/" + device.id())
                .bearer(operator.accessToken())
                .send()
                .json();
        assertThat(shown.at("/attributes/fw").asString()).isEqualTo("1.0");
    }

    @Test
    void theTlsListenerServesTheSameApi() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("tls"));
        Mqtt5BlockingClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(UUID.randomUUID().toString())
                .serverHost("127.0.0.1")
                .serverPort(transport.tlsPort())
                .sslConfig()
                .trustManagerFactory(io.insa.iiot.support.TestKeystore.trustManagers())
                .applySslConfig()
                .buildBlocking();
        client.connectWith()
                .simpleAuth()
                .username(device.token())
                .applySimpleAuth()
                .send();
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"secure\": 1}".getBytes())
                .send();
        client.disconnect();
        assertThat(Points.count(device.id(), "secure")).isEqualTo(1);
    }

    @Test
    void anMqttDeviceReceivesTheCommandOnItsRequestTopicAndAnswersOnTheResponseTopic() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("mqtt-cmd"));
        Mqtt5BlockingClient client = v5(device.token());
        client.toAsync()
                .subscribeWith()
                .topicFilter("v1/devices/me/rpc/request/+")
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(publish -> {
                    String requestId = publish.getTopic().toString().substring("v1/devices/me/rpc/request/".length());
                    tools.jackson.databind.JsonNode command = tools.jackson.databind.json.JsonMapper.builder()
                            .build()
                            .readTree(publish.getPayloadAsBytes());
                    client.toAsync()
                            .publishWith()
                            .topic("v1/devices/me/rpc/response/" + requestId)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(("{\"temperature\": 21, \"method\": \""
                                            + command.get("method").asString() + "\"}")
                                    .getBytes(StandardCharsets.UTF_8))
                            .send();
                })
                .send()
                .get(5, TimeUnit.SECONDS);

        io.insa.iiot.support.Api.Response response = io.insa.iiot.command.CommandIT.untilListening(
                api, operator.accessToken(), device.id(), Map.of("method", "readTemperature", "timeout_ms", 5000));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().at("/response/temperature").asInt()).isEqualTo(21);
        assertThat(response.json().at("/response/method").asString()).isEqualTo("readTemperature");
        client.disconnect();
    }

    @Test
    @Timeout(30)
    void anAnswerThatIsNotJsonReachesTheOperatorAsAJsonString() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("mqtt-text"));
        Mqtt5BlockingClient client = v5(device.token());
        client.toAsync()
                .subscribeWith()
                .topicFilter("v1/devices/me/rpc/request/+")
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(publish -> client.toAsync()
                        .publishWith()
                        .topic("v1/devices/me/rpc/response/"
                                + publish.getTopic().toString().substring("v1/devices/me/rpc/request/".length()))
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload("done, 21.5 C".getBytes(StandardCharsets.UTF_8))
                        .send())
                .send()
                .get(5, TimeUnit.SECONDS);

        io.insa.iiot.support.Api.Response response = io.insa.iiot.command.CommandIT.untilListening(
                api, operator.accessToken(), device.id(), Map.of("method", "readTemperature", "timeout_ms", 5000));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("response").isString()).isTrue();
        assertThat(response.json().get("response").asString()).isEqualTo("done, 21.5 C");
        client.disconnect();
    }

    @Test
    void badCredentialsGetConnAckNotAuthorized() {
        assertThatThrownBy(() -> v5("not-a-token"))
                .isInstanceOfSatisfying(
                        Mqtt5ConnAckException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
        Mqtt3BlockingClient v3 = client3("x");
        assertThatThrownBy(() -> v3.connectWith()
                        .simpleAuth()
                        .username("not-a-token")
                        .applySimpleAuth()
                        .send())
                .isInstanceOfSatisfying(
                        Mqtt3ConnAckException.class,
                        e -> assertThat(e.getMqttMessage().getReturnCode())
                                .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
    }

    @Test
    void basicCredentialsWithClientIdAuthenticate() throws Exception {
        String username = Fixture.unique("plc");
        var created = api.post(
                        "/api/v1/devices",
                        Map.of(
                                "name",
                                username,
                                "mqtt",
                                Map.of("client_id", "plc-client", "username", username, "password", "plc-password")))
                .bearer(operator.accessToken())
                .send();
        UUID id = UUID.fromString(created.json().at("/device/id").asString());
        Mqtt5BlockingClient client = client5("plc-client");
        client.connectWith()
                .simpleAuth()
                .username(username)
                .password("plc-password".getBytes())
                .applySimpleAuth()
                .send();
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"basic\": 1}".getBytes())
                .send();
        client.disconnect();
        assertThat(Points.count(id, "basic")).isEqualTo(1);

        Mqtt5BlockingClient wrongClientId = client5("other-client");
        assertThatThrownBy(() -> wrongClientId
                        .connectWith()
                        .simpleAuth()
                        .username(username)
                        .password("plc-password".getBytes())
                        .applySimpleAuth()
                        .send())
                .isInstanceOf(Mqtt5ConnAckException.class);
        Mqtt5BlockingClient wrongPassword = client5("plc-client");
        assertThatThrownBy(() -> wrongPassword
                        .connectWith()
                        .simpleAuth()
                        .username(username)
                        .password("nope-nope".getBytes())
                        .applySimpleAuth()
                        .send())
                .isInstanceOf(Mqtt5ConnAckException.class);
    }

    @Test
    void mqtt5RefusalsCarryTheirReasonCodeAndString() throws Exception {
        UUID small = fixture.tenant("Mqtt quota", Map.of("max_telemetry_points_per_day", 3));
        Fixture.Member admin = fixture.member(small, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "limited");
        Mqtt5BlockingClient client = v5(device.token());

        assertThat(pubAck(client, "v1/devices/me/telemetry", "{\"a\": ").getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(pubAck(client, "v1/devices/me/telemetry", "{\"a\": 1, \"b\": 2}")
                        .getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Mqtt5PubAck over = pubAck(client, "v1/devices/me/telemetry", "{\"c\": 3, \"d\": 4}");
        assertThat(over.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(over.getReasonString().map(Object::toString).orElse(""))
                .contains("max_telemetry_points_per_day is 3", "resets at");
        assertThat(pubAck(client, "v1/devices/" + UUID.randomUUID() + "/telemetry", "{\"x\": 1}")
                        .getReasonCode())
                .as("a connection writes as its own device only")
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        client.disconnect();
        assertThat(Points.count(device.id(), "a")).isEqualTo(1);
        assertThat(Points.count(device.id(), "c")).isZero();
        assertThat(Points.count(device.id(), "x")).isZero();
    }

    /** The PUBACK of a QoS 1 publish, whether it reports success or an error. */
    private static Mqtt5PubAck pubAck(Mqtt5BlockingClient client, String topic, String payload) {
        try {
            Mqtt5PublishResult result = client.publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8))
                    .send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage();
        }
    }

    @Test
    void aGatewayCreatesItsSubDevicesOnFirstSightWithinTheDeviceQuota() throws Exception {
        UUID tenant = fixture.tenant("Mqtt gateway", Map.of("max_devices", 3));
        Fixture.Member admin = fixture.member(tenant, "admin");
        var created = api.post("/api/v1/devices", Map.of("name", "gw-1", "type", "gateway"))
                .bearer(admin.accessToken())
                .send();
        String gatewayToken = created.json().get("access_token").asString();
        Mqtt5BlockingClient gateway = v5(gatewayToken);

        assertThat(pubAck(gateway, "v1/gateway/connect", "{\"device\": \"Boiler A\", \"type\": \"boiler\"}")
                        .getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        long now = System.currentTimeMillis();
        assertThat(pubAck(
                                gateway,
                                "v1/gateway/telemetry",
                                "{\"Boiler A\": [{\"ts\": " + now
                                        + ", \"values\": {\"heat\": 71}}], \"Boiler B\": {\"heat\": 64}}")
                        .getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(pubAck(gateway, "v1/gateway/attributes", "{\"Boiler A\": {\"fw\": \"3.1\"}}")
                        .getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        var boilers = api.get("/api/v1/devices?name=Boiler")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(boilers.get("total").asInt()).isEqualTo(2);
        var boilerA = boilers.get("items")
                .valueStream()
                .filter(d -> d.get("name").asString().equals("Boiler A"))
                .findFirst()
                .orElseThrow();
        assertThat(boilerA.get("type").asString()).isEqualTo("boiler");
        assertThat(boilerA.at("/attributes/fw").asString()).isEqualTo("3.1");
        assertThat(boilerA.get("connected").asBoolean()).isTrue();
        assertThat(Points.count(UUID.fromString(boilerA.get("id").asString()), "heat"))
                .isEqualTo(1);

        Mqtt5PubAck third = pubAck(gateway, "v1/gateway/telemetry", "{\"Boiler C\": {\"heat\": 1}}");
        assertThat(third.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(third.getReasonString().map(Object::toString).orElse("")).contains("max_devices is 3");

        assertThat(pubAck(gateway, "v1/gateway/disconnect", "{\"device\": \"Boiler A\"}")
                        .getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        awaitConnected(UUID.fromString(boilerA.get("id").asString()), false, admin.accessToken());
        gateway.disconnect();

        Fixture.DeviceHandle plain = fixture.device(operator.accessToken(), Fixture.unique("not-a-gateway"));
        Mqtt5BlockingClient device = v5(plain.token());
        assertThat(pubAck(device, "v1/gateway/telemetry", "{\"Boiler A\": {\"heat\": 1}}")
                        .getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        device.disconnect();
    }

    @Test
    void mqtt311IsDisconnectedOnABadPayload() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("v3bad"));
        Mqtt3BlockingClient client = v3(device.token());
        assertThatThrownBy(() -> client.publishWith()
                        .topic("v1/devices/me/telemetry")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload("not json".getBytes())
                        .send())
                .isInstanceOf(RuntimeException.class);
        assertThat(client.getState().isConnected()).isFalse();
    }

    /** ThingsBoard's SDKs check a connection with {@code {}}: acknowledged on both versions, nothing stored. */
    @Test
    void anEmptyObjectIsAcknowledgedAndStoresNothing() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("empty"));
        Mqtt5BlockingClient v5 = v5(device.token());
        assertThat(pubAck(v5, "v1/devices/me/telemetry", "{}").getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        v5.disconnect();
        Mqtt3BlockingClient v3 = v3(device.token());
        v3.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{}".getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(v3.getState().isConnected()).isTrue();
        v3.disconnect();
        assertThat(api.get("/api/v1/devices/" + device.id() + "/telemetry/latest")
                        .bearer(operator.accessToken())
                        .send()
                        .json()
                        .get("values")
                        .isEmpty())
                .isTrue();
    }

    @Test
    void theDeviceShowsAsConnectedWhileItsConnectionIsOpen() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("presence"));
        Mqtt5BlockingClient client = v5(device.token());
        awaitConnected(device.id(), true);
        client.disconnect();
        awaitConnected(device.id(), false);
    }

    @ParameterizedTest(name = "mosquitto_pub {0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void mosquittoPubPublishesAndTheDataLands(String version) throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("mosquitto"));
        Process pub = new ProcessBuilder(
                        "mosquitto_pub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(transport.port()),
                        "-V",
                        version,
                        "-u",
                        device.token(),
                        "-q",
                        "1",
                        "-t",
                        "v1/devices/me/telemetry",
                        "-m",
                        "{\"mosquitto\": 7}")
                .redirectErrorStream(true)
                .start();
        assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.exitValue())
                .as(new String(pub.getInputStream().readAllBytes()))
                .isZero();
        assertThat(Points.count(device.id(), "mosquitto")).isEqualTo(1);
    }

    /** An MQTT 5 client of the plain listener. */
    private Mqtt5BlockingClient client5(String identifier) {
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier(identifier)
                .serverHost("127.0.0.1")
                .serverPort(transport.port())
                .buildBlocking();
    }

    /** An MQTT 3.1.1 client of the plain listener. */
    private Mqtt3BlockingClient client3(String identifier) {
        return MqttClient.builder()
                .useMqttVersion3()
                .identifier(identifier)
                .serverHost("127.0.0.1")
                .serverPort(transport.port())
                .buildBlocking();
    }

    /** An MQTT 3.1.1 client connected with a device token. */
    private Mqtt3BlockingClient v3(String token) {
        Mqtt3BlockingClient client = client3(UUID.randomUUID().toString());
        client.connectWith().simpleAuth().username(token).applySimpleAuth().send();
        return client;
    }

    /** An MQTT 5 client connected with a device token. */
    private Mqtt5BlockingClient v5(String token) {
        Mqtt5BlockingClient client = client5(UUID.randomUUID().toString());
        client.connectWith().simpleAuth().username(token).applySimpleAuth().send();
        return client;
    }

    private void awaitCount(UUID device, String key, int expected) throws Exception {
        for (int i = 0; i < 100 && Points.count(device, key) < expected; i++) {
            Thread.sleep(50);
        }
        assertThat(Points.count(device, key)).isEqualTo(expected);
    }

    private void awaitConnected(UUID device, boolean expected) throws Exception {
        awaitConnected(device, expected, operator.accessToken());
    }

    private void awaitConnected(UUID device, boolean expected, String token) throws Exception {
        boolean connected = !expected;
        for (int i = 0; i < 100 && connected != expected; i++) {
            connected = api.get("/api/v1/devices/" + device)
                    .bearer(token)
                    .send()
                    .json()
                    .get("connected")
                    .asBoolean();
            if (connected != expected) {
                Thread.sleep(50);
            }
        }
        assertThat(connected).isEqualTo(expected);
    }
}

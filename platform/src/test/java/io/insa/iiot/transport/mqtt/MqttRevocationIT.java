package io.insa.iiot.transport.mqtt;

import static io.insa.iiot.transport.mqtt.MqttTestClients.pubAck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An open MQTT connection is no credential: deleting the device, rotating its token or changing its
 * MQTT credentials closes it within a second, and what it sends meanwhile is not stored.
 */
@Timeout(30)
class MqttRevocationIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    private static UUID tenant;
    private static Fixture.Member operator;
    private MqttTestClients clients;

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = fixture.tenant("Mqtt revocation");
            operator = fixture.member(tenant, "operator");
        }
        clients = new MqttTestClients(transport.port());
    }

    @Test
    void deletingADeviceClosesItsConnectionAndWhatItPublishesMeanwhileIsNotStored() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("deleted"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt5BlockingClient client = clients.v5(device.token(), closed);
        assertThat(pubAck(client, "v1/devices/me/telemetry", "{\"before\": 1}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        assertThat(api.delete("/api/v1/devices/" + device.id())
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        // sent at once, before the client can have seen the close
        CompletableFuture<Mqtt5PublishResult> after = client.toAsync()
                .publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"after\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();

        assertThat(closed.get(1, TimeUnit.SECONDS))
                .as("closed by the server within a second of the delete")
                .isInstanceOfSatisfying(
                        Mqtt5DisconnectException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED));
        assertThat(after)
                .as("no PUBACK of success for what was sent after the delete")
                .satisfiesAnyOf(
                        f -> assertThat(f).failsWithin(5, TimeUnit.SECONDS),
                        f -> assertThat(f.get(5, TimeUnit.SECONDS).getError()).isPresent());
        assertThat(Points.count(tenant, device.id(), "after")).isZero();
        assertThat(Points.latest(tenant, device.id()))
                .as("nothing of the deleted device is kept as its latest values")
                .isZero();
    }

    @Test
    void rotatingTheTokenClosesAnMqtt311ConnectionAndTheOldTokenNoLongerConnects() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("rotated"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt3BlockingClient client = clients.v3(device.token(), closed);
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"before\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();

        Api.Response rotated = api.post("/api/v1/devices/" + device.id() + "/token", Map.of())
                .bearer(operator.accessToken())
                .send();
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);

        assertThat(closed.get(1, TimeUnit.SECONDS)).as("closed within a second").isNotNull();
        assertThatThrownBy(() -> clients.v3(device.token(), new CompletableFuture<>()))
                .as("the old token is refused at once")
                .isInstanceOf(RuntimeException.class);
        CompletableFuture<Throwable> stillOpen = new CompletableFuture<>();
        Mqtt3BlockingClient fresh =
                clients.v3(rotated.json().get("access_token").asString(), stillOpen);
        fresh.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"fresh\": 1}".getBytes(StandardCharsets.UTF_8))
                .send();
        fresh.disconnect();
        assertThat(Points.count(tenant, device.id(), "fresh")).isEqualTo(1);
        assertThat(stillOpen).isNotDone();
    }

    @Test
    void changingTheMqttCredentialsClosesTheConnectionsMadeWithTheOldOnes() throws Exception {
        String username = Fixture.unique("plc");
        Api.Response created = api.post(
                        "/api/v1/devices",
                        Map.of(
                                "name",
                                username,
                                "mqtt",
                                Map.of("client_id", username, "username", username, "password", "first-password")))
                .bearer(operator.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        UUID id = UUID.fromString(created.json().at("/device/id").asString());
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt5BlockingClient client = clients.v5(username, username, "first-password", closed);
        assertThat(pubAck(client, "v1/devices/me/telemetry", "{\"before\": 1}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        assertThat(api.put(
                                "/api/v1/devices/" + id + "/mqtt-credentials",
                                Map.of("client_id", username, "username", username, "password", "second-password"))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);

        assertThat(closed.get(1, TimeUnit.SECONDS))
                .as("closed within a second")
                .isInstanceOf(Mqtt5DisconnectException.class);
        assertThatThrownBy(() -> clients.v5(username, username, "first-password", new CompletableFuture<>()))
                .isInstanceOf(Mqtt5ConnAckException.class);
        Mqtt5BlockingClient again = clients.v5(username, username, "second-password", new CompletableFuture<>());
        assertThat(pubAck(again, "v1/devices/me/telemetry", "{\"again\": 1}")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        again.disconnect();
    }

    @Test
    void anotherDevicesChangeLeavesTheConnectionOpen() throws Exception {
        Fixture.DeviceHandle kept = fixture.device(operator.accessToken(), Fixture.unique("kept"));
        Fixture.DeviceHandle other = fixture.device(operator.accessToken(), Fixture.unique("other"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt5BlockingClient client = clients.v5(kept.token(), closed);
        api.delete("/api/v1/devices/" + other.id())
                .bearer(operator.accessToken())
                .send();
        assertThat(pubAck(client, "v1/devices/me/telemetry", "{\"kept\": 1}")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(closed).isNotDone();
        client.disconnect();
    }
}

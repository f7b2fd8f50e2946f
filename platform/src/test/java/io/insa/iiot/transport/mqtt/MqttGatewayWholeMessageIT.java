package io.insa.iiot.transport.mqtt;

import static io.insa.iiot.transport.mqtt.MqttTestClients.pubAck;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/** A gateway message is admitted whole or not at all: no sub-device's part is stored when another's is refused. */
@Timeout(30)
class MqttGatewayWholeMessageIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    @Test
    void aGatewayMessageOverTheDailyQuotaStoresNoPartOfIt() throws Exception {
        UUID tenant = fixture.tenant("Gateway whole", Map.of("max_telemetry_points_per_day", 3));
        Fixture.Member admin = fixture.member(tenant, "admin");
        Api.Response created = api.post("/api/v1/devices", Map.of("name", Fixture.unique("gw"), "type", "gateway"))
                .bearer(admin.accessToken())
                .send();
        Mqtt5BlockingClient gateway = new MqttTestClients(transport.port())
                .v5(created.json().get("access_token").asString(), new CompletableFuture<>());
        String a = Fixture.unique("a");
        String b = Fixture.unique("b");
        String c = Fixture.unique("c");
        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + a + "\": {\"t\": 1}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        // 1 point used of 3: b's part alone would fit, b's and c's together (3 points) do not
        Mqtt5PubAckReasonCode refused = pubAck(
                gateway, "v1/gateway/telemetry", "{\"" + b + "\": {\"t\": 1}, \"" + c + "\": {\"t\": 1, \"u\": 2}}");

        assertThat(refused).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(Points.count(tenant, idOf(admin, b), "t"))
                .as("nothing of b's part")
                .isZero();
        assertThat(Points.count(tenant, idOf(admin, c), "t")).isZero();
        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + b + "\": {\"t\": 2}, \"" + c + "\": {\"t\": 2}}"))
                .as("the refused points were not counted: 1 + 2 of 3")
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(Points.count(tenant, idOf(admin, b), "t")).isEqualTo(1);
        assertThat(Points.count(tenant, idOf(admin, c), "t")).isEqualTo(1);
        gateway.disconnect();
    }

    private UUID idOf(Fixture.Member admin, String name) {
        return UUID.fromString(api.get("/api/v1/devices?name=" + name)
                .bearer(admin.accessToken())
                .send()
                .json()
                .at("/items/0/id")
                .asString());
    }
}

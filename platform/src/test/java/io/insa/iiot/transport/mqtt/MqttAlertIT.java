package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/** Telemetry published over MQTT raises and clears alerts like any other: one pipeline. */
class MqttAlertIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    @Test
    @Timeout(60)
    void aThresholdCrossedOverMqttRaisesAndClearsTheAlert() {
        Fixture.Member admin = fixture.member(fixture.tenant("MQTT alerts"), "admin");
        Fixture.DeviceHandle chiller = fixture.device(admin.accessToken(), Fixture.unique("chiller"));
        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "Chiller warm",
                                "severity", "major",
                                "scope",
                                        Map.of(
                                                "type",
                                                "devices",
                                                "device_ids",
                                                List.of(chiller.id().toString())),
                                "key", "temperature",
                                "condition", Map.of("type", "threshold", "operator", ">=", "value", 12)))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
        String ruleId = rule.json().get("id").asString();

        Mqtt3BlockingClient client = MqttClient.builder()
                .useMqttVersion3()
                .identifier(UUID.randomUUID().toString())
                .serverHost("127.0.0.1")
                .serverPort(transport.port())
                .buildBlocking();
        client.connectWith()
                .simpleAuth()
                .username(chiller.token())
                .applySimpleAuth()
                .send();
        try {
            publish(client, "{\"temperature\": 8}");
            publish(client, "{\"temperature\": 13.5}");
            awaitStatus(admin, ruleId, "active");
            publish(client, "{\"temperature\": 9}");
            awaitStatus(admin, ruleId, "cleared");
        } finally {
            client.disconnect();
        }
    }

    private static void publish(Mqtt3BlockingClient client, String payload) {
        client.publishWith()
                .topic("v1/devices/me/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private void awaitStatus(Fixture.Member admin, String rule, String status) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.get("/api/v1/alerts?rule_id=" + rule + "&status=" + status)
                                .bearer(admin.accessToken())
                                .send()
                                .json()
                                .get("total")
                                .asLong()
                        == 1);
    }
}

package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.MutableClock;
import io.insa.iiot.support.Points;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Messages without a device timestamp are stamped by the server, and no two readings of one device
 * share a stamp: a burst that reads the clock at the same instant (a coarse clock, a backlog read in one
 * go) keeps every acknowledged reading.
 */
class ServerTimestampsIT extends IntegrationTest {

    // within the device rate limit (insa.ingest.device-messages-per-second, 50 with a second of burst)
    private static final int BURST = 40;

    @Autowired
    MutableClock clock;

    @Autowired
    MqttTransport mqtt;

    @AfterEach
    void thawTheClock() {
        clock.reset();
    }

    @Test
    @Timeout(60)
    void aBurstWithoutTimestampsFromOneDeviceKeepsEveryAcknowledgedReading() throws Exception {
        UUID tenant = fixture.tenant("Burst");
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("burst"));
        Mqtt3AsyncClient client = MqttClient.builder()
                .useMqttVersion3()
                .identifier(UUID.randomUUID().toString())
                .serverHost("127.0.0.1")
                .serverPort(mqtt.port())
                .buildAsync();
        client.connectWith()
                .simpleAuth()
                .username(device.token())
                .applySimpleAuth()
                .send()
                .get(10, TimeUnit.SECONDS);
        try {
            clock.freeze();
            List<CompletableFuture<Mqtt3Publish>> acknowledged = IntStream.range(0, BURST)
                    .mapToObj(i -> client.publishWith()
                            .topic("v1/devices/me/telemetry")
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(("{\"seq\": " + i + "}").getBytes(StandardCharsets.UTF_8))
                            .send())
                    .toList();
            CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            // one message with an array of entries without timestamps: each entry is a reading too
            client.publishWith()
                    .topic("v1/devices/me/telemetry")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("[{\"seq\": 40}, {\"seq\": 41}]".getBytes(StandardCharsets.UTF_8))
                    .send()
                    .get(10, TimeUnit.SECONDS);
        } finally {
            client.disconnect().get(10, TimeUnit.SECONDS);
        }

        // the order is the order of processing: messages of one connection are parsed concurrently
        assertThat(Points.longValuesInTimeOrder(tenant, device.id(), "seq"))
                .as("every acknowledged reading has a row of its own")
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, BURST + 2).boxed().toList());
    }
}

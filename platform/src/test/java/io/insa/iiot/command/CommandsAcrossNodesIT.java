package io.insa.iiot.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.PlatformProcess;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 2: any node takes any device, so a command sent through one node's API reaches a device
 * connected to another, and the device's answer comes back to the caller; a device connected nowhere
 * is offline (409). The second node is the built jar in a process of its own, on the same database.
 */
class CommandsAcrossNodesIT extends IntegrationTest {

    @Test
    @Timeout(180)
    void aCommandThroughOneNodeReachesADeviceOnAnotherAndItsAnswerComesBack() throws Exception {
        UUID tenant = fixture.tenant(Fixture.unique("Across"));
        Fixture.Member operator = fixture.member(tenant, "admin");
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), "pump");
        int mqttPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            mqttPort = socket.getLocalPort();
        }
        try (PlatformProcess node2 = PlatformProcess.start(Map.of("insa.mqtt.port", String.valueOf(mqttPort)))) {
            Mqtt3BlockingClient client = MqttClient.builder()
                    .useMqttVersion3()
                    .identifier(UUID.randomUUID().toString())
                    .serverHost("127.0.0.1")
                    .serverPort(mqttPort)
                    .buildBlocking();
            client.connectWith()
                    .simpleAuth()
                    .username(device.token())
                    .applySimpleAuth()
                    .send();
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            client.toAsync()
                    .subscribeWith()
                    .topicFilter("v1/devices/me/rpc/request/+")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(publish -> {
                        String request = new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
                        received.add(request);
                        String id = publish.getTopic().toString().substring("v1/devices/me/rpc/request/".length());
                        client.toAsync()
                                .publishWith()
                                .topic("v1/devices/me/rpc/response/" + id)
                                .qos(MqttQos.AT_LEAST_ONCE)
                                .payload("{\"speed\": 1450}".getBytes(StandardCharsets.UTF_8))
                                .send();
                    })
                    .send()
                    .get(5, TimeUnit.SECONDS);

            // through this node's API; the device is connected to node 2 only
            Api.Response answered = CommandIT.untilListening(
                    api,
                    operator.accessToken(),
                    device.id(),
                    Map.of("method", "setSpeed", "params", Map.of("rpm", 1450), "timeout_ms", 5000));
            assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
            assertThat(answered.json().at("/status").asString()).isEqualTo("answered");
            assertThat(answered.json().at("/response/speed").asInt()).isEqualTo(1450);
            assertThat(received.poll(5, TimeUnit.SECONDS))
                    .contains("\"method\":\"setSpeed\"")
                    .contains("\"rpm\":1450");

            Api.Response oneWay = api.post(
                            "/api/v1/devices/" + device.id() + "/commands",
                            Map.of("method", "stop", "params", Map.of(), "one_way", true))
                    .bearer(operator.accessToken())
                    .send();
            assertThat(oneWay.status()).as(oneWay.toString()).isEqualTo(200);
            assertThat(oneWay.json().at("/status").asString()).isEqualTo("delivered");
            assertThat(received.poll(5, TimeUnit.SECONDS)).contains("\"method\":\"stop\"");

            client.disconnect();
            Api.Response offline = api.post(
                            "/api/v1/devices/" + device.id() + "/commands",
                            Map.of("method", "stop", "params", Map.of(), "one_way", true))
                    .bearer(operator.accessToken())
                    .send();
            for (int i = 0; i < 50 && offline.status() == 200; i++) { // the disconnect reaches node 2 first
                Thread.sleep(100);
                offline = api.post(
                                "/api/v1/devices/" + device.id() + "/commands",
                                Map.of("method", "stop", "params", Map.of(), "one_way", true))
                        .bearer(operator.accessToken())
                        .send();
            }
            assertThat(offline.status()).as(offline.toString()).isEqualTo(409);
        }
    }
}

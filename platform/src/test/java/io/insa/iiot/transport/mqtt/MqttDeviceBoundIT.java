package io.insa.iiot.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The flows of ThingsBoard's device API that carry data to the device, driven by real MQTT 3.1.1 and 5
 * clients (HiveMQ's) with ThingsBoard's topics and payloads: shared attributes set through the API
 * reach subscribed devices, devices ask for their attributes, client-side RPC is answered by a
 * {@code client_rpc} rule, and a gateway gets its sub-devices' attributes and commands and answers them.
 */
@Timeout(60)
class MqttDeviceBoundIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> DEVICE_TOPICS = List.of(
            "v1/devices/me/attributes",
            "v1/devices/me/attributes/response/+",
            "v1/devices/me/rpc/request/+",
            "v1/devices/me/rpc/response/+");

    /** A message a client received. */
    private record Received(String topic, JsonNode json) {}

    @Autowired
    MqttTransport transport;

    private static Fixture.Member operator;
    private static Fixture.Member admin;

    @BeforeEach
    void tenant() {
        if (operator == null) {
            UUID tenant = fixture.tenant("Device-bound MQTT");
            operator = fixture.member(tenant, "operator");
            admin = fixture.member(tenant, "admin");
        }
    }

    @Test
    void sharedAttributesReachSubscribedMqtt311And5DevicesWhichAlsoAskForTheirAttributes() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("thermostat"));
        BlockingQueue<Received> v3Inbox = new LinkedBlockingQueue<>();
        BlockingQueue<Received> v5Inbox = new LinkedBlockingQueue<>();
        Mqtt3BlockingClient v3 = clients().v3(device.token(), new CompletableFuture<>());
        Mqtt5BlockingClient v5 = clients().v5(device.token(), new CompletableFuture<>());
        for (String topic : DEVICE_TOPICS) {
            assertThat(v3.subscribeWith()
                            .topicFilter(topic)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .send()
                            .getReturnCodes())
                    .as(topic)
                    .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
            assertThat(v5.subscribeWith()
                            .topicFilter(topic)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .send()
                            .getReasonCodes())
                    .as(topic)
                    .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        }
        v3.toAsync()
                .publishes(
                        com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL,
                        p -> v3Inbox.add(received(p.getTopic().toString(), p.getPayloadAsBytes())));
        v5.toAsync()
                .publishes(
                        com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL,
                        p -> v5Inbox.add(received(p.getTopic().toString(), p.getPayloadAsBytes())));
        publish(v5, "v1/devices/me/attributes", "{\"firmware\": \"1.4.2\"}");

        assertThat(patchShared(device.id(), Map.of("interval_s", 5, "mode", "eco", "setpoints", List.of(19, 21)))
                        .status())
                .isEqualTo(200);
        for (BlockingQueue<Received> inbox : List.of(v3Inbox, v5Inbox)) {
            Received update = next(inbox);
            assertThat(update.topic()).isEqualTo("v1/devices/me/attributes");
            assertThat(update.json())
                    .isEqualTo(JSON.readTree("{\"interval_s\": 5, \"mode\": \"eco\", \"setpoints\": [19, 21]}"));
        }
        Map<String, Object> removeMode = new HashMap<>();
        removeMode.put("mode", null);
        assertThat(patchShared(device.id(), removeMode).status()).isEqualTo(200);
        assertThat(next(v3Inbox).json()).isEqualTo(JSON.readTree("{\"deleted\": [\"mode\"]}"));
        assertThat(next(v5Inbox).json()).isEqualTo(JSON.readTree("{\"deleted\": [\"mode\"]}"));

        publish(
                v3,
                "v1/devices/me/attributes/request/7",
                "{\"clientKeys\": \"firmware\", \"sharedKeys\": \"interval_s\"}");
        Received answer = next(v3Inbox);
        assertThat(answer.topic()).isEqualTo("v1/devices/me/attributes/response/7");
        assertThat(answer.json())
                .isEqualTo(JSON.readTree("{\"client\": {\"firmware\": \"1.4.2\"}, \"shared\": {\"interval_s\": 5}}"));

        publish(v5, "v1/devices/me/attributes/request/8", "{}");
        Received all = next(v5Inbox);
        assertThat(all.topic()).isEqualTo("v1/devices/me/attributes/response/8");
        assertThat(all.json())
                .isEqualTo(JSON.readTree("{\"client\": {\"firmware\": \"1.4.2\"},"
                        + " \"shared\": {\"interval_s\": 5, \"setpoints\": [19, 21]}}"));

        publish(v5, "v1/devices/me/attributes/request/9", "{\"sharedKeys\": \"setpoints\"}");
        assertThat(next(v5Inbox).json()).isEqualTo(JSON.readTree("{\"shared\": {\"setpoints\": [19, 21]}}"));
        assertThat(v3Inbox).as("nothing else for the 3.1.1 device").isEmpty();
        v3.disconnect();
        v5.disconnect();
    }

    @Test
    void aDevicesRequestIsAnsweredByTheClientRpcRuleForItsMethodAndEveryOtherGetsAnError() throws Exception {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("asker"));
        String method = Fixture.unique("getSchedule");
        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name",
                                "schedule for " + method,
                                "severity",
                                "minor",
                                "key",
                                method,
                                "condition",
                                Map.of("type", "client_rpc"),
                                "actions",
                                List.of(Map.of(
                                        "type", "rpc_reply", "response", Map.of("start", "06:00", "stop", "22:00")))))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        Mqtt3BlockingClient client = clients().v3(device.token(), new CompletableFuture<>());
        client.subscribeWith()
                .topicFilter("v1/devices/me/rpc/response/+")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        client.toAsync()
                .publishes(
                        com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL,
                        p -> inbox.add(received(p.getTopic().toString(), p.getPayloadAsBytes())));

        publish(client, "v1/devices/me/rpc/request/1", "{\"method\": \"" + method + "\", \"params\": {}}");
        Received answer = next(inbox);
        assertThat(answer.topic()).isEqualTo("v1/devices/me/rpc/response/1");
        assertThat(answer.json()).isEqualTo(JSON.readTree("{\"start\": \"06:00\", \"stop\": \"22:00\"}"));

        publish(client, "v1/devices/me/rpc/request/2", "{\"method\": \"noSuchMethod\", \"params\": {}}");
        Received refused = next(inbox);
        assertThat(refused.topic()).isEqualTo("v1/devices/me/rpc/response/2");
        assertThat(refused.json().get("error").asString()).contains("noSuchMethod");

        publish(client, "v1/devices/me/rpc/request/3", "{\"method\": \"getSessionLimits\", \"params\": {}}");
        Received limits = next(inbox);
        assertThat(limits.topic()).isEqualTo("v1/devices/me/rpc/response/3");
        assertThat(limits.json().get("maxPayloadSize").asInt()).isPositive();
        assertThat(limits.json().at("/rateLimits/messages").asString()).endsWith(":1");
        client.disconnect();
    }

    @Test
    void aGatewayGetsItsSubDevicesAttributesAndCommandsWhileTheyAreConnectedThroughIt() throws Exception {
        String gatewayName = Fixture.unique("gw");
        Api.Response created = api.post("/api/v1/devices", Map.of("name", gatewayName, "type", "gateway"))
                .bearer(operator.accessToken())
                .send();
        assertThat(created.status()).isEqualTo(201);
        String sub = Fixture.unique("Boiler");
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient gateway =
                clients().v5(created.json().get("access_token").asString(), new CompletableFuture<>());
        for (String topic : List.of("v1/gateway/attributes", "v1/gateway/attributes/response", "v1/gateway/rpc")) {
            assertThat(gateway.subscribeWith()
                            .topicFilter(topic)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .send()
                            .getReasonCodes())
                    .as(topic)
                    .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        }
        gateway.toAsync()
                .publishes(
                        com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL,
                        p -> inbox.add(received(p.getTopic().toString(), p.getPayloadAsBytes())));
        publish(gateway, "v1/gateway/connect", "{\"device\": \"" + sub + "\", \"type\": \"boiler\"}");
        UUID subId = UUID.fromString(api.get("/api/v1/devices?name=" + sub)
                .bearer(operator.accessToken())
                .send()
                .json()
                .at("/items/0/id")
                .asString());

        assertThat(patchShared(subId, Map.of("target_c", 21)).status()).isEqualTo(200);
        Received update = next(inbox);
        assertThat(update.topic()).isEqualTo("v1/gateway/attributes");
        assertThat(update.json())
                .isEqualTo(JSON.readTree("{\"device\": \"" + sub + "\", \"data\": {\"target_c\": 21}}"));

        publish(
                gateway,
                "v1/gateway/attributes/request",
                "{\"id\": 3, \"device\": \"" + sub + "\", \"client\": false, \"key\": \"target_c\"}");
        Received one = next(inbox);
        assertThat(one.topic()).isEqualTo("v1/gateway/attributes/response");
        assertThat(one.json()).isEqualTo(JSON.readTree("{\"id\": 3, \"device\": \"" + sub + "\", \"value\": 21}"));
        publish(
                gateway,
                "v1/gateway/attributes/request",
                "{\"id\": 4, \"device\": \"" + sub + "\", \"client\": false, \"keys\": [\"target_c\", \"absent\"]}");
        assertThat(next(inbox).json())
                .isEqualTo(JSON.readTree("{\"id\": 4, \"device\": \"" + sub + "\", \"values\": {\"target_c\": 21}}"));

        CompletableFuture<Api.Response> command = CompletableFuture.supplyAsync(() -> api.post(
                        "/api/v1/devices/" + subId + "/commands",
                        Map.of("method", "setBurner", "params", Map.of("on", true), "timeout_ms", 10_000))
                .bearer(operator.accessToken())
                .send());
        Received request = next(inbox);
        assertThat(request.topic()).isEqualTo("v1/gateway/rpc");
        assertThat(request.json().get("device").asString()).isEqualTo(sub);
        assertThat(request.json().at("/data/method").asString()).isEqualTo("setBurner");
        assertThat(request.json().at("/data/params/on").asBoolean()).isTrue();
        int id = request.json().at("/data/id").asInt();
        publish(
                gateway,
                "v1/gateway/rpc",
                "{\"device\": \"" + sub + "\", \"id\": " + id + ", \"data\": {\"success\": true}}");
        Api.Response answered = command.get(15, TimeUnit.SECONDS);
        assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
        assertThat(answered.json().at("/response/success").asBoolean()).isTrue();
        assertThat(api.get("/api/v1/devices/" + subId)
                        .bearer(operator.accessToken())
                        .send()
                        .json()
                        .get("connected")
                        .asBoolean())
                .isTrue();

        publish(gateway, "v1/gateway/disconnect", "{\"device\": \"" + sub + "\"}");
        Api.Response offline = api.post("/api/v1/devices/" + subId + "/commands", Map.of("method", "setBurner"))
                .bearer(operator.accessToken())
                .send();
        assertThat(offline.status()).as("disconnected through its gateway").isEqualTo(409);
        gateway.disconnect();
    }

    @Test
    void theAttributeApiKeepsScopesApartAndAnswersOnlyInsideTheCallersTenant() {
        Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("scoped"));
        String path = "/api/v1/devices/" + device.id() + "/attributes";
        assertThat(api.patch(path + "/server", Map.of("cost_center", "A-17"))
                        .bearer(operator.accessToken())
                        .send()
                        .json())
                .isEqualTo(JSON.readTree("{\"cost_center\": \"A-17\"}"));
        assertThat(patchShared(device.id(), Map.of("interval_s", 10)).json())
                .isEqualTo(JSON.readTree("{\"interval_s\": 10}"));

        JsonNode all = api.get(path).bearer(operator.accessToken()).send().json();
        assertThat(all)
                .isEqualTo(JSON.readTree(
                        "{\"client\": {}, \"shared\": {\"interval_s\": 10}, \"server\": {\"cost_center\": \"A-17\"}}"));
        assertThat(api.get(path + "?scope=server&keys=cost_center")
                        .bearer(operator.accessToken())
                        .send()
                        .json())
                .isEqualTo(JSON.readTree("{\"server\": {\"cost_center\": \"A-17\"}}"));

        Api.Response client = api.patch(path + "/client", Map.of("firmware", "x"))
                .bearer(operator.accessToken())
                .send();
        assertThat(client.status()).as("client attributes are the device's own").isEqualTo(400);
        Api.Response unknownScope = api.patch(path + "/secret", Map.of("a", 1))
                .bearer(operator.accessToken())
                .send();
        assertThat(unknownScope.status()).isEqualTo(400);

        Fixture.Member stranger = fixture.member(fixture.tenant(Fixture.unique("Elsewhere")), "admin");
        assertThat(api.get(path).bearer(stranger.accessToken()).send().status())
                .as("another tenant's device is not found")
                .isEqualTo(404);
        assertThat(api.patch(path + "/shared", Map.of("interval_s", 1))
                        .bearer(stranger.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.get(path)
                        .bearer(operator.accessToken())
                        .send()
                        .json()
                        .at("/shared/interval_s")
                        .asInt())
                .as("unchanged by the stranger")
                .isEqualTo(10);
    }

    @Test
    void requestsAnsweredRatherThanStoredCountAgainstTheRateLimitsOfMessages() {
        Fixture.Member slow =
                fixture.member(fixture.tenant("Slow requests", Map.of("max_messages_per_second", 2)), "operator");
        Fixture.DeviceHandle device = fixture.device(slow.accessToken(), Fixture.unique("chatty"));
        Mqtt5BlockingClient client = clients().v5(device.token(), new CompletableFuture<>());
        List<com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode> codes =
                new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            codes.add(MqttTestClients.pubAck(client, "v1/devices/me/attributes/request/" + i, "{}"));
            codes.add(MqttTestClients.pubAck(
                    client, "v1/devices/me/rpc/request/" + i, "{\"method\": \"getSessionLimits\"}"));
        }
        assertThat(codes)
                .as("beyond the tenant's 2 messages per second, requests are refused as messages are")
                .contains(com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        client.disconnect();

        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            statuses.add(
                    api.get("/api/v1/" + device.token() + "/attributes").send().status());
        }
        assertThat(statuses).contains(429);
    }

    private Api.Response patchShared(UUID device, Map<String, ?> patch) {
        return api.patch("/api/v1/devices/" + device + "/attributes/shared", patch)
                .bearer(operator.accessToken())
                .send();
    }

    private static void publish(Mqtt5BlockingClient client, String topic, String payload) {
        client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private static void publish(Mqtt3BlockingClient client, String topic, String payload) {
        client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private static Received received(String topic, byte[] payload) {
        return new Received(topic, JSON.readTree(payload));
    }

    private static Received next(BlockingQueue<Received> inbox) throws InterruptedException {
        Received received = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(received).as("a message within 10 s").isNotNull();
        return received;
    }

    private MqttTestClients clients() {
        return new MqttTestClients(transport.port());
    }
}

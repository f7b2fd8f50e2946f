package io.insa.iiot.transport.mqtt;

import static io.insa.iiot.transport.mqtt.MqttTestClients.pubAck;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Points;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A gateway writes only for the sub-devices it created or that an operator assigned to it; naming
 * any other device of its tenant is refused (MQTT 5: 0x87 not authorized; MQTT 3.1.1: the
 * connection is closed) and nothing of it is stored.
 */
@Timeout(30)
class MqttGatewayOwnershipIT extends IntegrationTest {

    @Autowired
    MqttTransport transport;

    private static UUID tenant;
    private static Fixture.Member admin;
    private MqttTestClients clients;

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = fixture.tenant("Gateway ownership");
            admin = fixture.member(tenant, "admin");
        }
        clients = new MqttTestClients(transport.port());
    }

    @Test
    void aGatewayWritesForItsOwnSubDevicesAndForOthersOnlyOnceTheyAreAssignedToIt() throws Exception {
        Gateway gw = gateway("gw");
        Mqtt5BlockingClient gateway = clients.v5(gw.token(), new CompletableFuture<>());
        String own = Fixture.unique("own");
        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + own + "\": {\"heat\": 1}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        JsonNode ownDevice = deviceNamed(own);
        assertThat(ownDevice.get("gateway_id").asString())
                .as("created on first sight, owned by its gateway")
                .isEqualTo(gw.id().toString());
        assertThat(Points.count(tenant, id(ownDevice), "heat")).isEqualTo(1);

        Fixture.DeviceHandle foreign = fixture.device(admin.accessToken(), Fixture.unique("foreign"));
        String foreignName = name(foreign.id());
        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + foreignName + "\": {\"heat\": 2}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(pubAck(gateway, "v1/gateway/attributes", "{\"" + foreignName + "\": {\"fw\": \"evil\"}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(pubAck(gateway, "v1/gateway/connect", "{\"device\": \"" + foreignName + "\"}"))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(pubAck(
                        gateway,
                        "v1/gateway/telemetry",
                        "{\"" + own + "\": {\"heat\": 3}, \"" + foreignName + "\": {\"heat\": 3}}"))
                .as("a message naming a foreign device is refused whole")
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(Points.count(tenant, foreign.id(), "heat")).isZero();
        assertThat(Points.count(tenant, id(ownDevice), "heat")).isEqualTo(1);
        JsonNode shown = device(foreign.id());
        assertThat(shown.get("attributes").has("fw")).isFalse();
        assertThat(shown.get("connected").asBoolean()).isFalse();
        assertThat(shown.get("gateway_id").isNull()).isTrue();

        Api.Response assigned = api.put("/api/v1/devices/" + foreign.id() + "/gateway", Map.of("gateway_id", gw.id()))
                .bearer(admin.accessToken())
                .send();
        assertThat(assigned.status()).as(assigned.toString()).isEqualTo(200);
        assertThat(assigned.json().get("gateway_id").asString())
                .isEqualTo(gw.id().toString());
        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + foreignName + "\": {\"heat\": 4}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(Points.count(tenant, foreign.id(), "heat")).isEqualTo(1);

        Map<String, Object> unassign = new HashMap<>();
        unassign.put("gateway_id", null);
        Api.Response unassigned = api.put("/api/v1/devices/" + foreign.id() + "/gateway", unassign)
                .bearer(admin.accessToken())
                .send();
        assertThat(unassigned.status()).as(unassigned.toString()).isEqualTo(200);
        assertThat(unassigned.json().get("gateway_id").isNull()).isTrue();
        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + foreignName + "\": {\"heat\": 5}}"))
                .as("the open gateway session forgets the device at once")
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(Points.count(tenant, foreign.id(), "heat")).isEqualTo(1);
        gateway.disconnect();
    }

    @Test
    void aGatewayCannotWriteForAnotherGatewaysSubDevices() throws Exception {
        Gateway first = gateway("first");
        Gateway second = gateway("second");
        String sub = Fixture.unique("sub");
        Mqtt5BlockingClient one = clients.v5(first.token(), new CompletableFuture<>());
        assertThat(pubAck(one, "v1/gateway/telemetry", "{\"" + sub + "\": {\"level\": 1}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        Mqtt5BlockingClient two = clients.v5(second.token(), new CompletableFuture<>());
        assertThat(pubAck(two, "v1/gateway/telemetry", "{\"" + sub + "\": {\"level\": 2}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(pubAck(two, "v1/gateway/telemetry", "{\"" + second.name() + "\": {\"level\": 2}}"))
                .as("nor for itself through the gateway topics")
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(Points.count(tenant, id(deviceNamed(sub)), "level")).isEqualTo(1);
        one.disconnect();
        two.disconnect();
    }

    @Test
    void aSubDeviceDeletedWhileItsGatewayIsConnectedIsCreatedAnewOnItsNextMessage() throws Exception {
        Gateway gw = gateway("gw-deleting");
        Mqtt5BlockingClient gateway = clients.v5(gw.token(), new CompletableFuture<>());
        String sub = Fixture.unique("sub");
        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + sub + "\": {\"level\": 1}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        UUID first = id(deviceNamed(sub));
        assertThat(api.delete("/api/v1/devices/" + first)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);

        assertThat(pubAck(gateway, "v1/gateway/telemetry", "{\"" + sub + "\": {\"level\": 2}}"))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        JsonNode again = deviceNamed(sub);
        assertThat(id(again)).isNotEqualTo(first);
        assertThat(again.get("gateway_id").asString()).isEqualTo(gw.id().toString());
        assertThat(Points.count(tenant, id(again), "level")).isEqualTo(1);
        assertThat(Points.count(tenant, first, "level"))
                .as("nothing more under the deleted device's id")
                .isEqualTo(1);
        gateway.disconnect();
    }

    @Test
    void anMqtt311GatewayNamingAForeignDeviceIsDisconnected() throws Exception {
        Gateway gw = gateway("gw311");
        Fixture.DeviceHandle foreign = fixture.device(admin.accessToken(), Fixture.unique("foreign311"));
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        Mqtt3BlockingClient gateway = clients.v3(gw.token(), closed);
        CompletableFuture<?> publish = gateway.toAsync()
                .publishWith()
                .topic("v1/gateway/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(("{\"" + name(foreign.id()) + "\": {\"heat\": 9}}").getBytes(StandardCharsets.UTF_8))
                .send();
        assertThat(closed.get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(publish).failsWithin(5, TimeUnit.SECONDS);
        assertThat(Points.count(tenant, foreign.id(), "heat")).isZero();
    }

    @Test
    void onlyAGatewayOfTheSameTenantCanBeAssigned() {
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("plain"));
        Fixture.DeviceHandle notAGateway = fixture.device(admin.accessToken(), Fixture.unique("sensor"));
        assertThat(api.put("/api/v1/devices/" + device.id() + "/gateway", Map.of("gateway_id", notAGateway.id()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(400);
        assertThat(api.put("/api/v1/devices/" + device.id() + "/gateway", Map.of("gateway_id", device.id()))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(400);
        UUID otherTenant = fixture.tenant("Other gateways");
        Fixture.Member otherAdmin = fixture.member(otherTenant, "admin");
        Api.Response elsewhere = api.post("/api/v1/devices", Map.of("name", "gw", "type", "gateway"))
                .bearer(otherAdmin.accessToken())
                .send();
        Api.Response refused = api.put(
                        "/api/v1/devices/" + device.id() + "/gateway",
                        Map.of("gateway_id", elsewhere.json().at("/device/id").asString()))
                .bearer(admin.accessToken())
                .send();
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().get("field").asString()).isEqualTo("gateway_id");
        assertThat(device(device.id()).get("gateway_id").isNull()).isTrue();
    }

    private record Gateway(UUID id, String name, String token) {}

    private Gateway gateway(String prefix) {
        String name = Fixture.unique(prefix);
        Api.Response created = api.post("/api/v1/devices", Map.of("name", name, "type", "gateway"))
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Gateway(
                UUID.fromString(created.json().at("/device/id").asString()),
                name,
                created.json().get("access_token").asString());
    }

    private JsonNode device(UUID id) {
        return api.get("/api/v1/devices/" + id)
                .bearer(admin.accessToken())
                .send()
                .json();
    }

    private String name(UUID id) {
        return device(id).get("name").asString();
    }

    private JsonNode deviceNamed(String name) {
        JsonNode found = api.get("/api/v1/devices?name=" + name)
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(found.get("total").asInt()).isEqualTo(1);
        return found.at("/items/0");
    }

    private static UUID id(JsonNode device) {
        return UUID.fromString(device.get("id").asString());
    }
}

package io.insa.iiot.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The device registry API (SPEC 4.1): CRUD, credentials, bulk provisioning, quota, isolation. */
class DeviceApiIT extends IntegrationTest {

    private static final java.util.Set<String> DEVICE = java.util.Set.of(
            "id",
            "name",
            "type",
            "labels",
            "attributes",
            "status",
            "connected",
            "last_seen_at",
            "gateway_id",
            "created_at");

    @Test
    void aDeviceIsCreatedWithItsTokenShownOnceThenReadUpdatedAndDeleted() {
        UUID tenant = fixture.tenant("Devices");
        Fixture.Member operator = fixture.member(tenant, "operator");
        Api.Response created = api.post(
                        "/api/v1/devices",
                        Map.of("name", "boiler-1", "type", "boiler", "labels", Map.of("site", "north")))
                .bearer(operator.accessToken())
                .send();
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().at("/device/id").asString();
        assertThat(created.json().get("access_token").asString()).hasSizeGreaterThan(30);
        assertThat(created.json().get("device").propertyNames()).containsExactlyInAnyOrderElementsOf(DEVICE);

        JsonNode read = api.get("/api/v1/devices/" + id)
                .bearer(operator.accessToken())
                .send()
                .json();
        assertThat(read.toString())
                .doesNotContain(created.json().get("access_token").asString());
        assertThat(read.get("status").asString()).isEqualTo("offline");
        assertThat(read.at("/labels/site").asString()).isEqualTo("north");

        Api.Response updated = api.patch(
                        "/api/v1/devices/" + id, Map.of("name", "boiler-one", "labels", Map.of("site", "south")))
                .bearer(operator.accessToken())
                .send();
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("name").asString()).isEqualTo("boiler-one");
        assertThat(updated.json().get("type").asString()).isEqualTo("boiler");

        assertThat(api.post("/api/v1/devices", Map.of("name", "boiler-one"))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .as("names are unique in a tenant")
                .isEqualTo(409);
        assertThat(api.delete("/api/v1/devices/" + id)
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThat(api.get("/api/v1/devices/" + id)
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);

        JsonNode audit = api.get("/api/v1/audit?target_id=" + id)
                .bearer(fixture.adminToken())
                .send()
                .json();
        assertThat(audit.get("items").valueStream().map(e -> e.get("action").asString()))
                .contains("device.create", "device.update", "device.delete");
    }

    @Test
    void viewersReadButDoNotChangeDevicesAndKeysNeedTheirScopes() {
        UUID tenant = fixture.tenant("Device roles");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "valve");
        assertThat(api.get("/api/v1/devices")
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(api.post("/api/v1/devices", Map.of("name", "x"))
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.delete("/api/v1/devices/" + device.id())
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/devices").send().status()).isEqualTo(401);

        String readKey = key(admin, "read");
        String writeKey = key(admin, "write");
        assertThat(api.get("/api/v1/devices").apiKey(readKey).send().status()).isEqualTo(200);
        assertThat(api.post("/api/v1/devices", Map.of("name", "by-read-key"))
                        .apiKey(readKey)
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.post("/api/v1/devices", Map.of("name", "by-write-key"))
                        .apiKey(writeKey)
                        .send()
                        .status())
                .isEqualTo(201);
    }

    @Test
    void devicesOfAnotherTenantAreInvisible() {
        UUID a = fixture.tenant("Devices A");
        UUID b = fixture.tenant("Devices B");
        Fixture.Member adminA = fixture.member(a, "admin");
        Fixture.Member adminB = fixture.member(b, "admin");
        Fixture.DeviceHandle device = fixture.device(adminA.accessToken(), "secret-press");
        fixture.telemetry(device.token(), "{\"pressure\": 7}");

        assertThat(api.get("/api/v1/devices")
                        .bearer(adminB.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asInt())
                .isZero();
        for (String path :
                List.of("", "/telemetry?keys=pressure", "/telemetry/latest", "/telemetry/export?keys=pressure")) {
            assertThat(api.get("/api/v1/devices/" + device.id() + path)
                            .bearer(adminB.accessToken())
                            .send()
                            .status())
                    .as(path)
                    .isEqualTo(404);
        }
        assertThat(api.patch("/api/v1/devices/" + device.id(), Map.of("name", "mine"))
                        .bearer(adminB.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.delete("/api/v1/devices/" + device.id())
                        .bearer(adminB.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.post("/api/v1/devices/" + device.id() + "/token", null)
                        .bearer(adminB.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/devices/" + device.id())
                        .bearer(adminA.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
    }

    @Test
    void tenThousandDevicesAreProvisionedInOneCall() {
        UUID tenant = fixture.tenant("Fleet", Map.of("max_devices", 10_000));
        Fixture.Member admin = fixture.member(tenant, "admin");
        List<Map<String, Object>> devices = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            devices.add(Map.of(
                    "name",
                    "sensor-" + i,
                    "type",
                    i % 2 == 0 ? "even" : "odd",
                    "labels",
                    Map.of("line", "l" + (i % 10))));
        }
        Api.Response bulk = api.post("/api/v1/devices/bulk", Map.of("devices", devices))
                .bearer(admin.accessToken())
                .send();
        assertThat(bulk.status())
                .as(bulk.text().substring(0, Math.min(300, bulk.text().length())))
                .isEqualTo(201);
        assertThat(bulk.json().get("created").asInt()).isEqualTo(10_000);
        assertThat(bulk.json().at("/devices/9999/access_token").asString()).isNotBlank();
        String token = bulk.json().at("/devices/1234/access_token").asString();
        assertThat(fixture.telemetry(token, "{\"ok\": 1}").status()).isEqualTo(200);

        JsonNode page = api.get("/api/v1/devices?type=odd&label=line:l3&size=100&page=1")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(page.get("total").asInt()).isEqualTo(1000);
        assertThat(page.get("items")).hasSize(100);
        assertThat(page.get("items")).allSatisfy(d -> {
            assertThat(d.get("type").asString()).isEqualTo("odd");
            assertThat(d.at("/labels/line").asString()).isEqualTo("l3");
        });
        JsonNode online = api.get("/api/v1/devices?status=online")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(online.get("total").asInt()).isEqualTo(1);
        assertThat(online.at("/items/0/name").asString()).isEqualTo("sensor-1234");
        JsonNode byName = api.get("/api/v1/devices?name=sensor-999")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(byName.get("total").asInt()).isEqualTo(11);

        Api.Response beyond = api.post("/api/v1/devices", Map.of("name", "one-too-many"))
                .bearer(admin.accessToken())
                .send();
        assertThat(beyond.status()).isEqualTo(422);
        assertThat(beyond.json().get("detail").asString()).contains("max_devices is 10000");

        JsonNode stats = api.get("/api/v1/tenants/" + tenant + "/stats")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(stats.at("/devices/total").asInt()).isEqualTo(10_000);
        assertThat(stats.at("/devices/online").asInt()).isEqualTo(1);
        assertThat(stats.at("/telemetry/points_today").asInt()).isEqualTo(1);
        assertThat(stats.at("/telemetry/oldest_data_age_days").asInt()).isZero();
        JsonNode quotas = api.get("/api/v1/tenants/" + tenant + "/quotas")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(quotas.at("/devices/percentage").asDouble()).isEqualTo(100.0);
    }

    @Test
    void bulkProvisioningIsAllOrNothingAndAcceptsCsv() {
        UUID tenant = fixture.tenant("Bulk", Map.of("max_devices", 5));
        Fixture.Member admin = fixture.member(tenant, "admin");
        Api.Response csv = api.post(
                        "/api/v1/devices/bulk", "name,type,labels\npump-1,pump,site=a;zone=1\npump-2,pump,\n")
                .bearer(admin.accessToken())
                .header("Content-Type", "text/csv")
                .send();
        assertThat(csv.status()).as(csv.toString()).isEqualTo(201);
        assertThat(csv.json().get("created").asInt()).isEqualTo(2);
        JsonNode pump = api.get("/api/v1/devices?name=pump-1")
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(pump.at("/items/0/labels/zone").asString()).isEqualTo("1");

        Api.Response duplicate = api.post(
                        "/api/v1/devices/bulk",
                        Map.of("devices", List.of(Map.of("name", "new-1"), Map.of("name", "pump-2"))))
                .bearer(admin.accessToken())
                .send();
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("detail").asString()).contains("pump-2");

        Api.Response overQuota = api.post(
                        "/api/v1/devices/bulk",
                        Map.of(
                                "devices",
                                List.of(
                                        Map.of("name", "a"),
                                        Map.of("name", "b"),
                                        Map.of("name", "c"),
                                        Map.of("name", "d"))))
                .bearer(admin.accessToken())
                .send();
        assertThat(overQuota.status()).isEqualTo(422);
        assertThat(api.get("/api/v1/devices")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asInt())
                .isEqualTo(2);

        Api.Response badCsv = api.post("/api/v1/devices/bulk", "id;name\n1;x\n")
                .bearer(admin.accessToken())
                .header("Content-Type", "text/csv")
                .send();
        assertThat(badCsv.status()).isEqualTo(400);
    }

    @Test
    void mqttCredentialsAreStoredAndUsernamesAreUnique() {
        UUID tenant = fixture.tenant("Mqtt creds");
        Fixture.Member admin = fixture.member(tenant, "admin");
        String username = Fixture.unique("mqtt-user");
        Api.Response created = api.post(
                        "/api/v1/devices",
                        Map.of(
                                "name",
                                "plc",
                                "mqtt",
                                Map.of("client_id", "plc-1", "username", username, "password", "secret-pass")))
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).isEqualTo(201);
        Fixture.DeviceHandle other = fixture.device(admin.accessToken(), "plc-2");
        Api.Response taken = api.put(
                        "/api/v1/devices/" + other.id() + "/mqtt-credentials",
                        Map.of("username", username, "password", "another-pass"))
                .bearer(admin.accessToken())
                .send();
        assertThat(taken.status()).isEqualTo(409);
        Api.Response shortPassword = api.put(
                        "/api/v1/devices/" + other.id() + "/mqtt-credentials",
                        Map.of("username", Fixture.unique("u"), "password", "short"))
                .bearer(admin.accessToken())
                .send();
        assertThat(shortPassword.status()).isEqualTo(400);
        assertThat(shortPassword.json().get("field").asString()).isEqualTo("password");
    }

    private String key(Fixture.Member admin, String scope) {
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", scope, "scopes", List.of(scope)))
                .bearer(admin.accessToken())
                .send();
        return created.json().get("key").asString();
    }
}

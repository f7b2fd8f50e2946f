package io.insa.iiot.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.PlatformProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 2: what a node caches of tenants and rules is evicted on every node when it changes, not only
 * on the node that changed it. The second node is the built jar in a process of its own, on the same
 * database; each caches what its devices' messages needed, then the change is made through this node.
 */
class CachesAcrossNodesIT extends IntegrationTest {

    @Test
    @Timeout(180)
    void aSuspensionAndANewRuleApplyOnTheOtherNodeFromItsNextMessage() throws Exception {
        UUID tenant = fixture.tenant(Fixture.unique("Caches"));
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle pump = fixture.device(admin.accessToken(), "pump");
        try (PlatformProcess node2 = PlatformProcess.start(Map.of())) {
            Api onNode2 = new Api(node2.port());
            // node 2 caches the tenant (active) and its rules (none)
            assertThat(telemetry(onNode2, pump, "{\"temperature\": 20}").status())
                    .isEqualTo(200);

            Api.Response rule = api.post(
                            "/api/v1/rules",
                            Map.of(
                                    "name", "Hot pump",
                                    "severity", "major",
                                    "scope",
                                            Map.of(
                                                    "type",
                                                    "devices",
                                                    "device_ids",
                                                    List.of(pump.id().toString())),
                                    "key", "temperature",
                                    "condition", Map.of("type", "threshold", "operator", ">", "value", 80)))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
            Thread.sleep(1_000); // the eviction is a notification: it reaches node 2 within milliseconds
            assertThat(telemetry(onNode2, pump, "{\"temperature\": 99}").status())
                    .isEqualTo(200);
            // one point above the threshold, evaluated on node 2: with the rule only if its cache was evicted
            // (it would reload on its own after 30 s, by when that point was judged without the rule)
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("/api/v1/alerts?status=active&device_id=" + pump.id())
                                    .bearer(admin.accessToken())
                                    .send()
                                    .json()
                                    .at("/items")
                                    .size()
                            == 1);

            Api.Response suspended = api.patch("/api/v1/tenants/" + tenant, Map.of("status", "suspended"))
                    .bearer(fixture.adminToken())
                    .send();
            assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
            Thread.sleep(1_000);
            // node 2 would have kept the tenant active in its cache for up to 10 minutes
            Api.Response refused = telemetry(onNode2, pump, "{\"temperature\": 21}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
            assertThat(refused.json().get("detail").asString()).contains("suspended");
        }
    }

    private static Api.Response telemetry(Api node, Fixture.DeviceHandle device, String payload) {
        return node.post("/api/v1/" + device.token() + "/telemetry", payload).send();
    }
}

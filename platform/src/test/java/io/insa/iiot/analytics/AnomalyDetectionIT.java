package io.insa.iiot.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.IiotApplication;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Anomaly detection in the platform: settings per tenant, scores stored as a telemetry series after
 * commit, anomaly rules raising alerts, checkpoints across a restart, the model quota and predict.
 */
@Timeout(120)
class AnomalyDetectionIT extends IntegrationTest {

    private static final Instant BASE = Instant.now().minus(Duration.ofHours(2));
    private static final int LEARNED = 600;

    @Test
    void settingsAreReadByMembersAndChangedByAdminsOnly() {
        UUID tenant = fixture.tenant("Anomaly settings");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member operator = fixture.member(tenant, "operator");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Map<String, Object> on = Map.of("enabled", true, "keys", List.of("temperature"));

        assertThat(api.get("/api/v1/analytics/anomaly").send().status()).isEqualTo(401);
        assertThat(api.patch("/api/v1/analytics/anomaly", on).send().status()).isEqualTo(401);
        assertThat(api.patch("/api/v1/analytics/anomaly", on)
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.patch("/api/v1/analytics/anomaly", on)
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        JsonNode off = api.get("/api/v1/analytics/anomaly")
                .bearer(viewer.accessToken())
                .send()
                .json();
        assertThat(off.get("enabled").asBoolean()).isFalse();
        assertThat(off.get("threshold").asDouble()).isEqualTo(0.5);

        Api.Response changed = api.patch(
                        "/api/v1/analytics/anomaly",
                        Map.of(
                                "enabled",
                                true,
                                "scope",
                                Map.of("type", "device_type", "device_type", "pump"),
                                "keys",
                                List.of("temperature")))
                .bearer(admin.accessToken())
                .send();
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        JsonNode read = api.get("/api/v1/analytics/anomaly")
                .bearer(viewer.accessToken())
                .send()
                .json();
        assertThat(read.get("enabled").asBoolean()).isTrue();
        assertThat(read.at("/scope/device_type").asString()).isEqualTo("pump");
        assertThat(read.at("/keys/0").asString()).isEqualTo("temperature");

        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("scope", Map.of("type", "fleet")),
                Map.of("keys", List.of("temperature.anomaly_score")),
                Map.of("enabled", "yes"),
                Map.of("colour", "red"))) {
            Api.Response refused = api.patch("/api/v1/analytics/anomaly", bad)
                    .bearer(admin.accessToken())
                    .send();
            assertThat(refused.status()).as(bad.toString()).isEqualTo(400);
            assertThat(refused.json().get("field").asString()).isNotBlank();
        }
        assertThat(api.get("/api/v1/analytics/anomaly")
                        .bearer(viewer.accessToken())
                        .send()
                        .json()
                        .at("/scope/device_type")
                        .asString())
                .as("refusals change nothing")
                .isEqualTo("pump");

        Fixture.Member stranger = fixture.member(fixture.tenant("Anomaly settings other"), "admin");
        assertThat(api.get("/api/v1/analytics/anomaly")
                        .bearer(stranger.accessToken())
                        .send()
                        .json()
                        .get("enabled")
                        .asBoolean())
                .as("another tenant's settings are its own")
                .isFalse();
        JsonNode audit = api.get("/api/v1/audit?action=analytics.anomaly.update")
                .bearer(fixture.adminToken())
                .send()
                .json();
        assertThat(audit.get("total").asLong()).isPositive();
    }

    @Test
    void aJumpIsScoredAnomalousAndAnAnomalyRuleRaisesAnAlert() {
        Fixture.Member admin = fixture.member(fixture.tenant("Anomaly alerts"), "admin");
        enable(admin);
        Fixture.DeviceHandle pump = fixture.device(admin.accessToken(), Fixture.unique("pump"));
        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "Temperature anomaly",
                                "severity", "major",
                                "key", "temperature",
                                "condition", Map.of("type", "anomaly", "score_above", 0.5)))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);

        sendCycle(api, pump, 0, LEARNED);
        await().atMost(Duration.ofSeconds(30)).until(() -> latestScore(admin, pump) != null);
        assertThat(latestScore(admin, pump)).as("a learned cycle is normal").isLessThan(0.5);
        assertThat(alerts(admin)).isZero();

        send(api, pump, LEARNED, 500);
        await().atMost(Duration.ofSeconds(30)).until(() -> latestScore(admin, pump) >= 0.5);
        await().atMost(Duration.ofSeconds(30)).until(() -> alerts(admin) == 1);
        JsonNode alert = api.get("/api/v1/alerts")
                .bearer(admin.accessToken())
                .send()
                .json()
                .at("/items/0");
        assertThat(alert.get("key").asString()).isEqualTo("temperature");
        assertThat(alert.get("value").asDouble()).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void aCheckpointedModelGoesOnAfterARestartWithoutANewWarmup() {
        Fixture.Member admin = fixture.member(fixture.tenant("Anomaly restart"), "admin");
        enable(admin);
        Fixture.DeviceHandle pump = fixture.device(admin.accessToken(), Fixture.unique("pump"));
        sendCycle(api, pump, 0, LEARNED);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/analytics/anomaly")
                                .bearer(admin.accessToken())
                                .send()
                                .json()
                                .get("models")
                                .asLong()
                        == 1);
        Thread.yield();
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true); // the last checkpoint

        Map<String, String> properties = new HashMap<>(platformProperties());
        properties.put("server.port", "0");
        String[] args = properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        try (ConfigurableApplicationContext restarted = new SpringApplicationBuilder(IiotApplication.class).run(args)) {
            Api other = new Api(
                    ((WebServerApplicationContext) restarted).getWebServer().getPort());
            // a fresh model would score nothing during its warm-up (AnomalyDetector.DEFAULTS)
            send(other, pump, LEARNED, 500);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Double score = latestScore(admin, pump);
                return score != null && score >= 0.5;
            });
        }
    }

    @Test
    void aTenantHasNoMoreModelsThanItsQuota() {
        Fixture.Member admin = fixture.member(fixture.tenant("Anomaly quota"), "admin");
        fixture.anomalyDetectionOn(admin.accessToken());
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), Fixture.unique("many"));
        Map<String, Object> values = new HashMap<>();
        for (int k = 0; k < 8; k++) {
            values.put("k" + k, k);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(fixture.telemetry(
                                    device.token(),
                                    Map.of("ts", BASE.plusSeconds(i).toEpochMilli(), "values", values))
                            .status())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/analytics/anomaly")
                                .bearer(admin.accessToken())
                                .send()
                                .json()
                                .get("models")
                                .asLong()
                        == 5); // insa.analytics.max-models-per-tenant in the tests
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(api.get("/api/v1/analytics/anomaly")
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("models")
                        .asLong())
                .isEqualTo(5);
    }

    @Test
    void predictScoresGivenOrStoredValuesAndForecasts() {
        UUID tenant = fixture.tenant("Anomaly predict");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Fixture.DeviceHandle pump = fixture.device(admin.accessToken(), Fixture.unique("pump"));
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < LEARNED; i++) {
            values.add(cycle(i));
        }
        values.add(500.0);
        Api.Response jump = api.post(
                        "/api/v1/devices/" + pump.id() + "/predict", Map.of("key", "temperature", "values", values))
                .bearer(viewer.accessToken())
                .send();
        assertThat(jump.status()).as(jump.toString()).isEqualTo(200);
        assertThat(jump.json().get("score").asDouble()).isGreaterThanOrEqualTo(0.5);
        assertThat(jump.json().get("grade").asString()).isEqualTo("anomalous");
        assertThat(jump.json().get("threshold").asDouble()).isEqualTo(0.5);
        assertThat(jump.json().get("forecast").size()).isEqualTo(10);

        values.removeLast();
        Api.Response calm = api.post(
                        "/api/v1/devices/" + pump.id() + "/predict", Map.of("key", "temperature", "values", values))
                .bearer(viewer.accessToken())
                .send();
        assertThat(calm.json().get("grade").asString()).isEqualTo("normal");
        assertThat(calm.json().at("/forecast/0").asDouble()).isBetween(0.0, 40.0);
        assertThat(calm.json().get("forecast_lower").size()).isEqualTo(10);
        assertThat(calm.json().at("/forecast_lower/0").asDouble())
                .isLessThanOrEqualTo(calm.json().at("/forecast/0").asDouble());
        assertThat(calm.json().at("/forecast_upper/0").asDouble())
                .isGreaterThanOrEqualTo(calm.json().at("/forecast/0").asDouble());
        assertThat(calm.json().has("period")).isTrue();

        sendCycle(api, pump, 0, 50);
        Api.Response stored = api.post("/api/v1/devices/" + pump.id() + "/predict", Map.of("key", "temperature"))
                .bearer(viewer.accessToken())
                .send();
        assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
        assertThat(stored.json().get("values").asInt()).as("the stored values").isEqualTo(50);

        assertThat(api.post("/api/v1/devices/" + pump.id() + "/predict", Map.of("key", "pressure"))
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .as("nothing stored, nothing given")
                .isEqualTo(400);
        assertThat(api.post("/api/v1/devices/" + pump.id() + "/predict", Map.of("values", List.of(1.0)))
                        .bearer(viewer.accessToken())
                        .send()
                        .json()
                        .get("field")
                        .asString())
                .isEqualTo("key");
        assertThat(api.post("/api/v1/devices/" + pump.id() + "/predict", Map.of("key", "t"))
                        .send()
                        .status())
                .isEqualTo(401);
        Fixture.Member stranger = fixture.member(fixture.tenant("Anomaly predict other"), "admin");
        assertThat(api.post(
                                "/api/v1/devices/" + pump.id() + "/predict",
                                Map.of("key", "temperature", "values", List.of(1.0)))
                        .bearer(stranger.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
    }

    private void enable(Fixture.Member admin) {
        Api.Response on = api.patch(
                        "/api/v1/analytics/anomaly", Map.of("enabled", true, "keys", List.of("temperature")))
                .bearer(admin.accessToken())
                .send();
        assertThat(on.status()).as(on.toString()).isEqualTo(200);
    }

    /** The values from..to-1 of a cycle, in messages of 100 points (one second apart). */
    private static void sendCycle(Api through, Fixture.DeviceHandle device, int from, int to) {
        for (int start = from; start < to; start += 100) {
            List<Map<String, Object>> points = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + 100); i++) {
                points.add(Map.of("ts", BASE.plusSeconds(i).toEpochMilli(), "values", Map.of("temperature", cycle(i))));
            }
            Api.Response response = through.post("/api/v1/" + device.token() + "/telemetry", points)
                    .send();
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
        }
    }

    private static void send(Api through, Fixture.DeviceHandle device, int second, double value) {
        Api.Response response = through.post(
                        "/api/v1/" + device.token() + "/telemetry",
                        Map.of("ts", BASE.plusSeconds(second).toEpochMilli(), "values", Map.of("temperature", value)))
                .send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    private static double cycle(int i) {
        return 20 + 10 * Math.sin(2 * Math.PI * i / 100);
    }

    private Double latestScore(Fixture.Member member, Fixture.DeviceHandle device) {
        JsonNode latest = api.get("/api/v1/devices/" + device.id() + "/telemetry/latest?keys=temperature.anomaly_score")
                .bearer(member.accessToken())
                .send()
                .json();
        JsonNode value = latest.at("/values/temperature.anomaly_score/value");
        return value.isMissingNode() || value.isNull() ? null : value.asDouble();
    }

    private long alerts(Fixture.Member member) {
        return api.get("/api/v1/alerts")
                .bearer(member.accessToken())
                .send()
                .json()
                .get("total")
                .asLong();
    }
}

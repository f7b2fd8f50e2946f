package io.insa.iiot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.IiotApplication;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
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
 * What the evaluator knows survives a restart: a second instance, starting with empty memory, takes
 * over a device's points and neither raises again an alert whose episode goes on, nor loses its clear,
 * nor forgets a duration that had started counting.
 */
class AlertRestartIT extends IntegrationTest {

    private static final Instant BASE = Instant.now().minusSeconds(3600);

    @Test
    @Timeout(120)
    void ruleStatesAreTakenOverByAFreshInstance() {
        Fixture.Member admin = fixture.member(fixture.tenant("Alert restart"), "admin");
        Fixture.DeviceHandle open = fixture.device(admin.accessToken(), Fixture.unique("open"));
        Fixture.DeviceHandle handCleared = fixture.device(admin.accessToken(), Fixture.unique("hand-cleared"));
        Fixture.DeviceHandle slow = fixture.device(admin.accessToken(), Fixture.unique("slow"));
        String hot = rule(
                admin, "Hot", List.of(open, handCleared), Map.of("type", "threshold", "operator", ">", "value", 80));
        String lasting = rule(
                admin,
                "Hot for 10 s",
                List.of(slow),
                Map.of("type", "threshold", "operator", ">", "value", 80, "duration_s", 10));

        send(api, open, 1, 90);
        String openAlert = awaitAlert(admin, hot, open.id(), "active").get("id").asString();
        send(api, handCleared, 1, 90);
        String handAlert =
                awaitAlert(admin, hot, handCleared.id(), "active").get("id").asString();
        assertThat(api.post("/api/v1/alerts/" + handAlert + "/clear", Map.of())
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        send(api, slow, 0, 90);
        send(api, slow, 5, 90);

        try (ConfigurableApplicationContext restarted = secondInstance()) {
            Api other = new Api(
                    ((WebServerApplicationContext) restarted).getWebServer().getPort());
            // the episode of the open alert goes on: no second alert; the hand-cleared one: none again
            send(other, open, 2, 95);
            send(other, handCleared, 2, 95);
            // the duration started before the restart completes after it
            send(other, slow, 10, 90);
            awaitAlert(admin, lasting, slow.id(), "active");
            assertThat(total(admin, hot, open.id())).isEqualTo(1);
            assertThat(total(admin, hot, handCleared.id())).isEqualTo(1);

            // the clear is not lost
            send(other, open, 3, 50);
            assertThat(awaitAlert(admin, hot, open.id(), "cleared").get("id").asString())
                    .isEqualTo(openAlert);
            // the hand-cleared episode ends with the data, and the next one opens a new alert
            send(other, handCleared, 3, 50);
            send(other, handCleared, 4, 99);
            assertThat(awaitAlert(admin, hot, handCleared.id(), "active")
                            .get("id")
                            .asString())
                    .isNotEqualTo(handAlert);
            assertThat(total(admin, hot, open.id()))
                    .as("nothing raised between")
                    .isEqualTo(1);
            assertThat(total(admin, hot, handCleared.id()))
                    .as("the hand-cleared, then the new one")
                    .isEqualTo(2);
        }
    }

    private ConfigurableApplicationContext secondInstance() {
        Map<String, String> properties = new HashMap<>(platformProperties());
        properties.put("server.port", "0");
        String[] args = properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(IiotApplication.class).run(args);
    }

    private String rule(
            Fixture.Member admin, String name, List<Fixture.DeviceHandle> devices, Map<String, Object> condition) {
        Api.Response created = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name",
                                name,
                                "severity",
                                "major",
                                "scope",
                                Map.of(
                                        "type",
                                        "devices",
                                        "device_ids",
                                        devices.stream()
                                                .map(d -> d.id().toString())
                                                .toList()),
                                "key",
                                "temperature",
                                "condition",
                                condition))
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private static void send(Api through, Fixture.DeviceHandle device, int seconds, double value) {
        Api.Response response = through.post(
                        "/api/v1/" + device.token() + "/telemetry",
                        Map.of("ts", BASE.plusSeconds(seconds).toEpochMilli(), "values", Map.of("temperature", value)))
                .send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    private long total(Fixture.Member admin, String rule, UUID device) {
        return api.get("/api/v1/alerts?rule_id=" + rule + "&device_id=" + device)
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("total")
                .asLong();
    }

    private JsonNode awaitAlert(Fixture.Member admin, String rule, UUID device, String status) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonNode items = api.get(
                                    "/api/v1/alerts?rule_id=" + rule + "&device_id=" + device + "&status=" + status)
                            .bearer(admin.accessToken())
                            .send()
                            .json()
                            .get("items");
                    found[0] = items.isEmpty() ? null : items.get(0);
                    return found[0] != null;
                });
        return found[0];
    }
}

package io.insa.iiot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.rules.alert.Alerts;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Mailbox;
import io.insa.iiot.support.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts end to end: devices send telemetry over HTTP, rules raise and clear alerts on what is
 * committed, people acknowledge and clear them, and actions reach a webhook, a mailbox and a device.
 */
@Timeout(90)
class AlertIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    Alerts alertService;

    @Autowired
    Rules ruleService;

    @Autowired
    TenantTransactions transactions;

    private static UUID tenant;
    private static Fixture.Member admin;
    private static Fixture.Member operator;
    private static Fixture.Member viewer;

    @BeforeEach
    void members() {
        if (tenant == null) {
            tenant = fixture.tenant("Alerts");
            admin = fixture.member(tenant, "admin");
            operator = fixture.member(tenant, "operator");
            viewer = fixture.member(tenant, "viewer");
        }
    }

    @Test
    void aThresholdRaisesOneAlertThatIsAcknowledgedThenClearedByDataWithSignedWebhooksAndHistory() throws Exception {
        try (WebhookReceiver hook = WebhookReceiver.accepting()) {
            Fixture.DeviceHandle pump = device("pump");
            String rule = rule(Map.of(
                    "name",
                    "Pump hot",
                    "severity",
                    "critical",
                    "scope",
                    Map.of("type", "devices", "device_ids", List.of(pump.id().toString())),
                    "key",
                    "temperature",
                    "condition",
                    Map.of("type", "threshold", "operator", ">", "value", 80),
                    "actions",
                    List.of(Map.of("type", "webhook", "url", hook.url(), "secret", "pump-secret"))));

            long activeBefore = activeAlerts();
            send(pump, 1, 70);
            send(pump, 2, 85);
            send(pump, 3, 90);
            JsonNode alert = awaitAlert(rule, pump.id(), "active");
            assertThat(alert.get("value").asDouble()).as("the value that fired").isEqualTo(85);
            assertThat(alert.get("rule_name").asString()).isEqualTo("Pump hot");
            assertThat(alert.get("device_name").asString()).startsWith("pump");
            assertThat(alert.get("severity").asString()).isEqualTo("critical");
            assertThat(alert.get("key").asString()).isEqualTo("temperature");
            String id = alert.get("id").asString();
            assertThat(activeAlerts()).as("tenant stats").isEqualTo(activeBefore + 1);

            await().atMost(WAIT).until(() -> hook.received().size() >= 1);
            WebhookReceiver.Received raised = hook.received().getFirst();
            assertThat(raised.signature()).isEqualTo("sha256=" + hmac("pump-secret", raised.body()));
            assertThat(storedActions(rule))
                    .as("the webhook secret is sealed at rest, in the rule and in its notifications")
                    .isNotEmpty()
                    .allSatisfy(text ->
                            assertThat(text).doesNotContain("pump-secret").contains("\"sealed_secret\""));
            assertThat(JSON.readTree(raised.body()).get("event").asString()).isEqualTo("raised");
            assertThat(JSON.readTree(raised.body()).at("/alert/id").asString()).isEqualTo(id);

            assertThat(api.post("/api/v1/alerts/" + id + "/acknowledge", Map.of())
                            .bearer(viewer.accessToken())
                            .send()
                            .status())
                    .as("viewers only read")
                    .isEqualTo(403);
            Api.Response acknowledged = api.post("/api/v1/alerts/" + id + "/acknowledge", Map.of())
                    .bearer(operator.accessToken())
                    .send();
            assertThat(acknowledged.status()).as(acknowledged.toString()).isEqualTo(200);
            assertThat(acknowledged.json().get("status").asString()).isEqualTo("acknowledged");
            assertThat(acknowledged.json().get("acknowledged_by").asString()).isEqualTo(operator.email());
            assertThat(api.post("/api/v1/alerts/" + id + "/acknowledge", Map.of())
                            .bearer(operator.accessToken())
                            .send()
                            .status())
                    .as("only an active alert")
                    .isEqualTo(409);
            assertThat(activeAlerts()).as("acknowledged is no longer active").isEqualTo(activeBefore);

            send(pump, 4, 95); // still beyond: nothing new
            send(pump, 5, 60);
            JsonNode cleared = awaitAlert(rule, pump.id(), "cleared");
            assertThat(cleared.get("id").asString()).isEqualTo(id);
            assertThat(cleared.get("cleared_by").asString()).isEqualTo("system");
            assertThat(alerts("rule_id=" + rule).get("total").asLong())
                    .as("one episode, one alert")
                    .isEqualTo(1);

            await().atMost(WAIT).until(() -> hook.received().size() >= 2);
            WebhookReceiver.Received clearedHook = hook.received().get(1);
            assertThat(JSON.readTree(clearedHook.body()).get("event").asString())
                    .isEqualTo("cleared");
            assertThat(clearedHook.signature()).isEqualTo("sha256=" + hmac("pump-secret", clearedHook.body()));

            await().atMost(WAIT).until(() -> historyTypes(id).size() >= 5);
            assertThat(historyTypes(id))
                    .containsExactly("raised", "notification", "acknowledged", "cleared", "notification");
            JsonNode detail = api.get("/api/v1/alerts/" + id)
                    .bearer(viewer.accessToken())
                    .send()
                    .json();
            assertThat(detail.at("/history/2/actor").asString()).isEqualTo(operator.email());
            assertThat(detail.at("/history/1/details/outcome").asString()).isEqualTo("delivered");

            JsonNode audit = api.get("/api/v1/audit?target_id=" + id)
                    .bearer(fixture.adminToken())
                    .send()
                    .json();
            assertThat(audit.get("items").valueStream().map(e -> e.get("action").asString()))
                    .contains("alert.acknowledge");
        }
    }

    @Test
    void aManualClearEndsTheEpisodeAndANewEpisodeOpensANewAlert() {
        Fixture.DeviceHandle tank = device("tank");
        String rule = rule(Map.of(
                "name", "Level out of range",
                "severity", "major",
                "scope",
                        Map.of(
                                "type",
                                "devices",
                                "device_ids",
                                List.of(tank.id().toString())),
                "key", "level",
                "condition", Map.of("type", "range", "min", 10, "max", 90)));
        sendKey(tank, "level", 1, 95);
        String first = awaitAlert(rule, tank.id(), "active").get("id").asString();
        Api.Response cleared = api.post("/api/v1/alerts/" + first + "/clear", Map.of())
                .bearer(operator.accessToken())
                .send();
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.json().get("cleared_by").asString()).isEqualTo(operator.email());
        assertThat(api.post("/api/v1/alerts/" + first + "/clear", Map.of())
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(409);

        sendKey(tank, "level", 2, 96); // the same episode: cleared by hand, not raised again
        sendKey(tank, "level", 3, 50); // back in range: the episode ends
        sendKey(tank, "level", 4, 5); // a new one
        JsonNode second = awaitAlert(rule, tank.id(), "active");
        assertThat(second.get("id").asString()).isNotEqualTo(first);
        assertThat(second.get("value").asDouble()).isEqualTo(5);
        assertThat(alerts("rule_id=" + rule).get("total").asLong()).isEqualTo(2);
    }

    @Test
    void aWebhookThatFailsThreeTimesGetsTheAlertOnTheFourthTry() {
        try (WebhookReceiver hook = WebhookReceiver.failingFirst(3)) {
            Fixture.DeviceHandle fan = device("fan");
            String rule = webhookRule(fan, hook.url());
            send(fan, 1, 99);
            String alert = awaitAlert(rule, fan.id(), "active").get("id").asString();
            JsonNode delivered = awaitNotification(alert, "delivered");
            assertThat(delivered.get("attempts").asInt()).isEqualTo(4);
            assertThat(hook.received()).hasSize(4);
            assertThat(hook.received().stream()
                            .map(WebhookReceiver.Received::body)
                            .distinct())
                    .as("the same alert each time")
                    .hasSize(1);
        }
    }

    @Test
    void aWebhookThatAlwaysFailsEndsAsAVisibleDeadLetter() {
        try (WebhookReceiver hook = WebhookReceiver.failingFirst(Integer.MAX_VALUE)) {
            Fixture.DeviceHandle fan = device("fan");
            String rule = webhookRule(fan, hook.url());
            send(fan, 1, 99);
            String alert = awaitAlert(rule, fan.id(), "active").get("id").asString();
            JsonNode dead = awaitNotification(alert, "dead");
            assertThat(dead.get("attempts").asInt()).isEqualTo(6); // insa.notify.max-attempts
            assertThat(dead.get("last_error").asString()).isEqualTo("http_500");
            assertThat(dead.get("target").asString()).isEqualTo(hook.url());
            assertThat(hook.received()).hasSize(6);
            JsonNode deadLetters = api.get("/api/v1/notifications?status=dead")
                    .bearer(viewer.accessToken())
                    .send()
                    .json();
            assertThat(deadLetters
                            .get("items")
                            .valueStream()
                            .map(n -> n.get("alert_id").asString()))
                    .contains(alert);
        }
    }

    /**
     * A delivery error is a category: a closed port and a TLS handshake with a server that does not
     * speak TLS both read {@code connection_failed}, so a tenant's webhooks cannot tell what listens where.
     */
    @Test
    void deliveryErrorsAreCategoriesThatDoNotTellAClosedPortFromATlsFailure() throws Exception {
        UUID own = fixture.tenant("Webhook errors");
        Fixture.Member owner = fixture.member(own, "admin");
        int closed;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (WebhookReceiver plainHttp = WebhookReceiver.accepting()) {
            Map<String, String> targets = Map.of(
                    "closed-port",
                    "https://127.0.0.1:" + closed + "/hook",
                    "plain-http",
                    plainHttp.url().replace("http://", "https://"));
            Map<String, String> errors = new HashMap<>();
            for (var target : targets.entrySet()) {
                Fixture.DeviceHandle device = fixture.device(owner.accessToken(), Fixture.unique(target.getKey()));
                Api.Response created = api.post(
                                "/api/v1/rules",
                                Map.of(
                                        "name",
                                        "Hot " + target.getKey(),
                                        "severity",
                                        "major",
                                        "scope",
                                        Map.of(
                                                "type",
                                                "devices",
                                                "device_ids",
                                                List.of(device.id().toString())),
                                        "key",
                                        "temperature",
                                        "condition",
                                        Map.of("type", "threshold", "operator", ">", "value", 80),
                                        "actions",
                                        List.of(Map.of("type", "webhook", "url", target.getValue(), "secret", "s"))))
                        .bearer(owner.accessToken())
                        .send();
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                assertThat(fixture.telemetry(device.token(), Map.of("temperature", 99))
                                .status())
                        .isEqualTo(200);
                String[] error = new String[1];
                await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                    String rule = created.json().get("id").asString();
                    Optional<JsonNode> tried = api.get("/api/v1/notifications")
                            .bearer(owner.accessToken())
                            .send()
                            .json()
                            .get("items")
                            .valueStream()
                            .filter(n -> n.get("rule_id").asString().equals(rule)
                                    && !n.get("last_error").isNull())
                            .findFirst();
                    tried.ifPresent(n -> error[0] = n.get("last_error").asString());
                    return tried.isPresent();
                });
                errors.put(target.getKey(), error[0]);
            }
            assertThat(errors.get("plain-http"))
                    .as("a TLS failure reads as a closed port does: %s", errors)
                    .isEqualTo(errors.get("closed-port"))
                    .isEqualTo("connection_failed");
            assertThat(plainHttp.received()).isEmpty();
        }
    }

    @Test
    void anEmailActionReachesTheMailbox() {
        Fixture.DeviceHandle boiler = device("boiler");
        String to = Fixture.unique("ops") + "@plant.example";
        String rule = rule(Map.of(
                "name",
                "Boiler pressure",
                "severity",
                "warning",
                "scope",
                Map.of("type", "devices", "device_ids", List.of(boiler.id().toString())),
                "key",
                "pressure",
                "condition",
                Map.of("type", "threshold", "operator", ">=", "value", 8),
                "actions",
                List.of(Map.of("type", "email", "to", List.of(to)))));
        sendKey(boiler, "pressure", 1, 8.5);
        awaitAlert(rule, boiler.id(), "active");
        await().atMost(WAIT).until(() -> !Mailbox.textsTo(to).isEmpty());
        assertThat(Mailbox.textsTo(to).getFirst()).contains("Boiler pressure").contains("raised");
    }

    @Test
    void aCommandActionReachesAConnectedDevice() throws Exception {
        Fixture.DeviceHandle sensor = device("sensor");
        Fixture.DeviceHandle valve = device("valve");
        rule(Map.of(
                "name",
                "Close the valve",
                "severity",
                "critical",
                "scope",
                Map.of("type", "devices", "device_ids", List.of(sensor.id().toString())),
                "key",
                "flow",
                "condition",
                Map.of("type", "threshold", "operator", ">", "value", 100),
                "actions",
                List.of(Map.of(
                        "type",
                        "command",
                        "device_id",
                        valve.id().toString(),
                        "method",
                        "close",
                        "params",
                        Map.of("valve", 3)))));
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + port + "/api/v1/" + valve.token() + "/rpc?timeout=20000"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500); // the long poll is listening (a miss is retried by the dispatcher anyway)
        sendKey(sensor, "flow", 1, 150);
        HttpResponse<String> command = poll.get(25, TimeUnit.SECONDS);
        assertThat(command.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(command.body());
        assertThat(body.get("method").asString()).isEqualTo("close");
        assertThat(body.at("/params/valve").asInt()).isEqualTo(3);
    }

    @Test
    void noDataRaisesWhenAKeyFallsSilentAndClearsWhenItReturns() {
        Fixture.DeviceHandle meter = device("meter");
        String rule = rule(Map.of(
                "name", "Meter silent",
                "severity", "minor",
                "scope",
                        Map.of(
                                "type",
                                "devices",
                                "device_ids",
                                List.of(meter.id().toString())),
                "key", "heartbeat",
                "condition", Map.of("type", "no_data", "seconds", 2)));
        sendNow(meter, "heartbeat", 1);
        JsonNode silent = awaitAlert(rule, meter.id(), "active");
        assertThat(silent.get("value").isNull()).isTrue();
        sendNow(meter, "heartbeat", 1);
        awaitAlert(rule, meter.id(), "cleared");
        assertThat(alerts("rule_id=" + rule).get("total").asLong()).isEqualTo(1);
    }

    @Test
    void eightWritersHammeringOneDeviceOpenExactlyOneAlert() throws Exception {
        Fixture.DeviceHandle press = device("press");
        String rule = rule(Map.of(
                "name", "Press force",
                "severity", "critical",
                "scope",
                        Map.of(
                                "type",
                                "devices",
                                "device_ids",
                                List.of(press.id().toString())),
                "key", "force",
                "condition", Map.of("type", "threshold", "operator", ">", "value", 10)));
        AtomicLong ts = new AtomicLong(Instant.now().minusSeconds(600).toEpochMilli());
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 25; i++) {
                    Map<String, Object> payload = Map.of("ts", ts.incrementAndGet(), "values", Map.of("force", 50 + i));
                    assertThat(fixture.telemetry(press.token(), payload).status())
                            .as("stored, or refused by the device rate limit")
                            .isIn(200, 429);
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join(Duration.ofSeconds(60));
        }
        awaitAlert(rule, press.id(), "active");
        Thread.sleep(1000); // whatever is still being judged
        assertThat(alerts("rule_id=" + rule).get("total").asLong()).isEqualTo(1);
    }

    @Test
    void eightConcurrentRaisesForOneRuleAndDeviceOpenOneAlert() throws Exception {
        Fixture.DeviceHandle press = device("press");
        String ruleId = webhooklessRule(press);
        TenantId tenantId = TenantId.of(tenant);
        Rule rule = ruleService.get(tenantId, UUID.fromString(ruleId));
        CyclicBarrier start = new CyclicBarrier(8);
        List<CompletableFuture<Optional<UUID>>> raises = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            double value = 90 + i;
            raises.add(CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            start.await(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return transactions.inTenant(
                                tenantId,
                                () -> alertService.raise(rule, press.id(), "press", value, Instant.now(), "test"));
                    },
                    Executors.newVirtualThreadPerTaskExecutor()));
        }
        long opened = 0;
        for (CompletableFuture<Optional<UUID>> raise : raises) {
            opened += raise.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
        }
        assertThat(opened).as("raises that opened an alert").isEqualTo(1);
        assertThat(alerts("rule_id=" + ruleId).get("total").asLong()).isEqualTo(1);
    }

    @Test
    void aRuleChangeAppliesToTheNextCommittedPoint() {
        Fixture.DeviceHandle oven = device("oven");
        String rule = rule(Map.of(
                "name", "Oven",
                "severity", "major",
                "scope",
                        Map.of(
                                "type",
                                "devices",
                                "device_ids",
                                List.of(oven.id().toString())),
                "key", "temperature",
                "condition", Map.of("type", "threshold", "operator", ">", "value", 200)));
        send(oven, 1, 150);
        assertThat(api.patch(
                                "/api/v1/rules/" + rule,
                                Map.of("condition", Map.of("type", "threshold", "operator", ">", "value", 100)))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        send(oven, 2, 151);
        assertThat(awaitAlert(rule, oven.id(), "active").get("value").asDouble())
                .isEqualTo(151);
    }

    @Test
    void anotherTenantSeesNoneOfTheAlerts() {
        Fixture.DeviceHandle pump = device("pump");
        String rule = webhooklessRule(pump);
        send(pump, 1, 99);
        String id = awaitAlert(rule, pump.id(), "active").get("id").asString();
        Fixture.Member stranger = fixture.member(fixture.tenant("Alerts other"), "admin");
        assertThat(api.get("/api/v1/alerts/" + id)
                        .bearer(stranger.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.post("/api/v1/alerts/" + id + "/acknowledge", Map.of())
                        .bearer(stranger.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.post("/api/v1/alerts/" + id + "/clear", Map.of())
                        .bearer(stranger.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/alerts")
                        .bearer(stranger.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isZero();
        assertThat(api.get("/api/v1/alerts").send().status()).as("anonymous").isEqualTo(401);
        assertThat(api.get("/api/v1/notifications").send().status())
                .as("anonymous")
                .isEqualTo(401);
        assertThat(api.post("/api/v1/alerts/" + id + "/acknowledge", Map.of())
                        .send()
                        .status())
                .isEqualTo(401);
        assertThat(api.get("/api/v1/notifications")
                        .bearer(stranger.accessToken())
                        .send()
                        .json()
                        .get("total")
                        .asLong())
                .isZero();
        assertThat(api.get("/api/v1/alerts/" + id)
                        .bearer(operator.accessToken())
                        .send()
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("active");
    }

    @Test
    void deletingADeviceClearsItsOpenAlertsAndKeepsThemAsHistory() {
        Fixture.DeviceHandle pump = device("pump");
        String rule = webhooklessRule(pump);
        send(pump, 1, 99);
        String id = awaitAlert(rule, pump.id(), "active").get("id").asString();
        assertThat(fixture.revoke(admin.accessToken(), pump.id(), "delete").status())
                .isEqualTo(204);
        awaitAlert(rule, pump.id(), "cleared"); // the deletion's listeners run after its commit
        JsonNode cleared = api.get("/api/v1/alerts/" + id)
                .bearer(viewer.accessToken())
                .send()
                .json();
        assertThat(cleared.get("status").asString()).isEqualTo("cleared");
        assertThat(cleared.get("cleared_by").asString()).isEqualTo("system");
        assertThat(cleared.at("/history/1/details/reason").asString()).isEqualTo("the device was deleted");
    }

    @Test
    void badFiltersAre400() {
        assertThat(api.get("/api/v1/alerts?status=open")
                        .bearer(viewer.accessToken())
                        .send()
                        .json()
                        .get("field")
                        .asString())
                .isEqualTo("status");
        assertThat(api.get("/api/v1/alerts?from=yesterday")
                        .bearer(viewer.accessToken())
                        .send()
                        .json()
                        .get("field")
                        .asString())
                .isEqualTo("from");
        assertThat(api.get("/api/v1/notifications?status=lost")
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(400);
    }

    // ------------------------------------------------------------------ helpers

    private Fixture.DeviceHandle device(String name) {
        return fixture.device(admin.accessToken(), Fixture.unique(name));
    }

    private String rule(Map<String, Object> definition) {
        Api.Response created = api.post("/api/v1/rules", definition)
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private String webhookRule(Fixture.DeviceHandle device, String url) {
        return rule(Map.of(
                "name",
                "Fan hot",
                "severity",
                "major",
                "scope",
                Map.of("type", "devices", "device_ids", List.of(device.id().toString())),
                "key",
                "temperature",
                "condition",
                Map.of("type", "threshold", "operator", ">", "value", 80),
                "actions",
                List.of(Map.of("type", "webhook", "url", url, "secret", "fan"))));
    }

    private String webhooklessRule(Fixture.DeviceHandle device) {
        return rule(Map.of(
                "name", "Hot",
                "severity", "minor",
                "scope",
                        Map.of(
                                "type",
                                "devices",
                                "device_ids",
                                List.of(device.id().toString())),
                "key", "temperature",
                "condition", Map.of("type", "threshold", "operator", ">", "value", 80)));
    }

    private static final Instant BASE = Instant.now().minusSeconds(3600);

    /** A temperature at BASE + seconds: data time under the test's control. */
    private void send(Fixture.DeviceHandle device, int seconds, double value) {
        sendKey(device, "temperature", seconds, value);
    }

    private void sendKey(Fixture.DeviceHandle device, String key, int seconds, double value) {
        Map<String, Object> payload =
                Map.of("ts", BASE.plusSeconds(seconds).toEpochMilli(), "values", Map.of(key, value));
        Api.Response response = fixture.telemetry(device.token(), payload);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    private void sendNow(Fixture.DeviceHandle device, String key, double value) {
        assertThat(fixture.telemetry(device.token(), Map.of(key, value)).status())
                .isEqualTo(200);
    }

    private JsonNode alerts(String query) {
        Api.Response response =
                api.get("/api/v1/alerts?" + query).bearer(viewer.accessToken()).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private JsonNode awaitAlert(String rule, UUID device, String status) {
        Map<String, JsonNode> found = new HashMap<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode items = alerts("rule_id=" + rule + "&device_id=" + device + "&status=" + status)
                    .get("items");
            if (items.isEmpty()) {
                return false;
            }
            found.put("alert", items.get(0));
            return true;
        });
        return found.get("alert");
    }

    private JsonNode awaitNotification(String alert, String status) {
        Map<String, JsonNode> found = new HashMap<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode items = api.get("/api/v1/notifications?alert_id=" + alert + "&status=" + status)
                    .bearer(viewer.accessToken())
                    .send()
                    .json()
                    .get("items");
            if (items.isEmpty()) {
                return false;
            }
            found.put("n", items.get(0));
            return true;
        });
        return found.get("n");
    }

    private List<String> historyTypes(String alert) {
        return api.get("/api/v1/alerts/" + alert)
                .bearer(viewer.accessToken())
                .send()
                .json()
                .get("history")
                .valueStream()
                .map(h -> h.get("type").asString())
                .toList();
    }

    private long activeAlerts() {
        return api.get("/api/v1/tenants/" + tenant + "/stats")
                .bearer(admin.accessToken())
                .send()
                .json()
                .at("/alerts/active")
                .asLong();
    }

    /** The stored JSON of a rule's actions and of its notifications, read as the database owner. */
    private static List<String> storedActions(String rule) throws Exception {
        try (var c = io.insa.iiot.support.TestDatabase.get().connectAsOwner();
                var s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, false)")) {
            s.setString(1, tenant.toString());
            s.execute();
            List<String> found = new java.util.ArrayList<>();
            for (String sql : List.of(
                    "SELECT actions::text FROM rules WHERE id = ?::uuid",
                    "SELECT action::text FROM notifications WHERE rule_id = ?::uuid")) {
                try (var q = c.prepareStatement(sql)) {
                    q.setString(1, rule);
                    try (var rs = q.executeQuery()) {
                        while (rs.next()) {
                            found.add(rs.getString(1));
                        }
                    }
                }
            }
            return found;
        }
    }

    private static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}

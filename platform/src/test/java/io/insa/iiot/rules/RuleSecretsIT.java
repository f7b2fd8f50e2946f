package io.insa.iiot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.shared.SealedSecrets;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import io.insa.iiot.support.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Webhook secrets at rest cannot stop a tenant's alerting: a secret that looks like a sealed one is a
 * secret like any other, and a stored secret that cannot be opened (sealed under a key the platform no
 * longer has) fails its own deliveries only, while the tenant's rules, listings and no-data checks go on.
 * Secrets sealed before V12 open as they did.
 */
@Timeout(90)
class RuleSecretsIT extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    SealedSecrets sealedSecrets;

    @Test
    void aWebhookSecretThatLooksSealedIsStoredAsGivenAndTheTenantKeepsAlerting() throws Exception {
        Fixture.Member admin = fixture.member(fixture.tenant("Sealed-looking secret"), "admin");
        Fixture.DeviceHandle pump = fixture.device(admin.accessToken(), Fixture.unique("pump"));
        try (WebhookReceiver hook = WebhookReceiver.accepting()) {
            String looksSealed = rule(admin, threshold("Looks sealed", pump, hook.url(), "sealed:AAAA"));
            String other = rule(admin, threshold("Other", pump, hook.url(), "other-secret"));
            String silent = rule(admin, noData(pump));

            Api.Response list =
                    api.get("/api/v1/rules").bearer(admin.accessToken()).send();
            assertThat(list.status()).as("the rule listing: " + list).isEqualTo(200);
            assertThat(list.json().get("total").asLong()).isEqualTo(3);
            Api.Response one = api.get("/api/v1/rules/" + looksSealed)
                    .bearer(admin.accessToken())
                    .send();
            assertThat(one.status()).as(one.toString()).isEqualTo(200);
            assertThat(one.json().at("/actions/0/secret").asString()).isEqualTo("********");
            Api.Response renamed = api.patch("/api/v1/rules/" + looksSealed, Map.of("name", "Looks sealed, renamed"))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);

            assertThat(fixture.telemetry(pump.token(), Map.of("temperature", 95, "heartbeat", 1))
                            .status())
                    .isEqualTo(200);
            await().atMost(WAIT).until(() -> hook.received().size() >= 2);
            assertThat(hook.received().stream().map(WebhookReceiver.Received::signature))
                    .as("each rule's webhook is signed with the secret as it was given")
                    .containsExactlyInAnyOrder(
                            "sha256=" + hmac("sealed:AAAA", bodyFor(hook, looksSealed)),
                            "sha256=" + hmac("other-secret", bodyFor(hook, other)));
            awaitAlert(admin, silent, "active");

            assertThat(api.delete("/api/v1/rules/" + looksSealed)
                            .bearer(admin.accessToken())
                            .send()
                            .status())
                    .isEqualTo(204);
        }
    }

    @Test
    void aStoredSecretThatCannotBeOpenedFailsOnlyItsOwnDelivery() throws Exception {
        UUID tenant = fixture.tenant("Unopenable secret");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle pump = fixture.device(admin.accessToken(), Fixture.unique("pump"));
        try (WebhookReceiver hook = WebhookReceiver.accepting()) {
            String broken = rule(admin, threshold("Broken", pump, hook.url(), "broken-secret"));
            String other = rule(admin, threshold("Other", pump, hook.url(), "other-secret"));
            String silent = rule(admin, noData(pump));
            sealWithAnUnknownKey(tenant, broken);
            // a change of another rule makes the tenant's rules be read again
            assertThat(api.patch("/api/v1/rules/" + other, Map.of("name", "Other, renamed"))
                            .bearer(admin.accessToken())
                            .send()
                            .status())
                    .isEqualTo(200);

            Api.Response list =
                    api.get("/api/v1/rules").bearer(admin.accessToken()).send();
            assertThat(list.status()).as("the rule listing: " + list).isEqualTo(200);
            assertThat(api.get("/api/v1/rules/" + broken)
                            .bearer(admin.accessToken())
                            .send()
                            .status())
                    .isEqualTo(200);

            assertThat(fixture.telemetry(pump.token(), Map.of("temperature", 95, "heartbeat", 1))
                            .status())
                    .isEqualTo(200);
            await().atMost(WAIT).until(() -> !hook.received().isEmpty());
            String brokenAlert = awaitAlert(admin, broken, "active");
            awaitAlert(admin, other, "active");
            awaitAlert(admin, silent, "active");
            JsonNode dead = awaitNotification(admin, brokenAlert, "dead");
            assertThat(dead.get("attempts").asInt())
                    .as("not retried: no retry can open it")
                    .isEqualTo(1);
            assertThat(dead.get("last_error").asString()).contains("secret");
            assertThat(hook.received())
                    .singleElement()
                    .satisfies(r -> assertThat(r.signature()).isEqualTo("sha256=" + hmac("other-secret", r.body())));

            Api.Response fixed = api.patch(
                            "/api/v1/rules/" + broken,
                            Map.of(
                                    "actions",
                                    List.of(Map.of("type", "webhook", "url", hook.url(), "secret", "new-secret"))))
                    .bearer(admin.accessToken())
                    .send();
            assertThat(fixed.status()).as(fixed.toString()).isEqualTo(200);
            assertThat(api.delete("/api/v1/rules/" + broken)
                            .bearer(admin.accessToken())
                            .send()
                            .status())
                    .isEqualTo(204);
        }
    }

    @Test
    void aSecretSealedBeforeV12StillSignsAfterTheMigration() throws Exception {
        UUID tenant = fixture.tenant("Former sealed secret");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle pump = fixture.device(admin.accessToken(), Fixture.unique("pump"));
        try (WebhookReceiver hook = WebhookReceiver.accepting()) {
            String rule = rule(admin, threshold("Former", pump, hook.url(), "placeholder"));
            try (var c = TestDatabase.get().connectAsOwner()) {
                c.setAutoCommit(false);
                try (var s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                    s.setString(1, tenant.toString());
                    s.execute();
                }
                try (var update = c.prepareStatement("""
                        UPDATE rules SET actions = jsonb_build_array(jsonb_build_object(
                            'type', 'webhook', 'url', ?::text, 'secret', 'sealed:' || ?::text))
                        WHERE id = ?::uuid""")) { // as the platform stored it before V12
                    update.setString(1, hook.url());
                    update.setString(2, sealedSecrets.seal("former-secret"));
                    update.setString(3, rule);
                    assertThat(update.executeUpdate()).isEqualTo(1);
                }
                try (var migration = c.createStatement();
                        var sql = getClass().getResourceAsStream("/db/migration/V12__sealed_webhook_secrets.sql")) {
                    migration.execute(new String(sql.readAllBytes(), StandardCharsets.UTF_8));
                }
                try (var s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                    s.setString(1, tenant.toString());
                    s.execute();
                }
                try (var stored = c.prepareStatement("SELECT actions -> 0 FROM rules WHERE id = ?::uuid")) {
                    stored.setString(1, rule);
                    try (var rs = stored.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1))
                                .contains("\"sealed_secret\"")
                                .doesNotContain("\"secret\"");
                    }
                }
                c.commit();
            }
            // a change makes the tenant's rules be read again; the stored secret is kept as it is
            assertThat(api.patch("/api/v1/rules/" + rule, Map.of("name", "Former, renamed"))
                            .bearer(admin.accessToken())
                            .send()
                            .status())
                    .isEqualTo(200);

            assertThat(fixture.telemetry(pump.token(), Map.of("temperature", 95))
                            .status())
                    .isEqualTo(200);
            await().atMost(WAIT).until(() -> !hook.received().isEmpty());
            WebhookReceiver.Received received = hook.received().getFirst();
            assertThat(received.signature()).isEqualTo("sha256=" + hmac("former-secret", received.body()));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Object> threshold(String name, Fixture.DeviceHandle device, String url, String secret) {
        return Map.of(
                "name",
                name,
                "severity",
                "major",
                "scope",
                Map.of("type", "devices", "device_ids", List.of(device.id().toString())),
                "key",
                "temperature",
                "condition",
                Map.of("type", "threshold", "operator", ">", "value", 80),
                "actions",
                List.of(Map.of("type", "webhook", "url", url, "secret", secret)));
    }

    private static Map<String, Object> noData(Fixture.DeviceHandle device) {
        return Map.of(
                "name", "Silent",
                "severity", "minor",
                "scope",
                        Map.of(
                                "type",
                                "devices",
                                "device_ids",
                                List.of(device.id().toString())),
                "key", "heartbeat",
                "condition", Map.of("type", "no_data", "seconds", 2));
    }

    private String rule(Fixture.Member admin, Map<String, Object> definition) {
        Api.Response created = api.post("/api/v1/rules", definition)
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private String awaitAlert(Fixture.Member admin, String rule, String status) {
        String[] id = new String[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode items = api.get("/api/v1/alerts?rule_id=" + rule + "&status=" + status)
                    .bearer(admin.accessToken())
                    .send()
                    .json()
                    .get("items");
            if (items == null || items.isEmpty()) {
                return false;
            }
            id[0] = items.get(0).get("id").asString();
            return true;
        });
        return id[0];
    }

    private JsonNode awaitNotification(Fixture.Member admin, String alert, String status) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode items = api.get("/api/v1/notifications?alert_id=" + alert + "&status=" + status)
                    .bearer(admin.accessToken())
                    .send()
                    .json()
                    .get("items");
            if (items == null || items.isEmpty()) {
                return false;
            }
            found[0] = items.get(0);
            return true;
        });
        return found[0];
    }

    /** The body the webhook received for the rule's alert. */
    private static String bodyFor(WebhookReceiver hook, String rule) {
        return hook.received().stream()
                .map(WebhookReceiver.Received::body)
                .filter(body -> body.contains(rule))
                .findFirst()
                .orElseThrow();
    }

    /**
     * Replaces the rule's stored webhook secret by one sealed under a key the platform does not have, as a
     * rotated-away key or a restored backup would leave it.
     */
    private static void sealWithAnUnknownKey(UUID tenant, String rule) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String foreign = new SealedSecrets(Base64.getEncoder().encodeToString(key), "", null).seal("broken-secret");
        try (var c = TestDatabase.get().connectAsOwner()) {
            try (var s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, false)")) {
                s.setString(1, tenant.toString());
                s.execute();
            }
            try (var update = c.prepareStatement("""
                    UPDATE rules SET actions = jsonb_build_array(CASE
                        WHEN actions -> 0 -> 'sealed_secret' IS NOT NULL THEN jsonb_set(actions -> 0, '{sealed_secret}', to_jsonb(?::text))
                        ELSE jsonb_set(actions -> 0, '{secret}', to_jsonb('sealed:' || ?::text)) END)
                    WHERE id = ?::uuid""")) {
                update.setString(1, foreign);
                update.setString(2, foreign);
                update.setString(3, rule);
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
        }
    }

    private static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}

package io.insa.iiot.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /api/v1/rules}: the definition, its checks, who may write it, and tenant isolation. */
class RuleApiIT extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static UUID tenant;
    private static Fixture.Member admin;
    private static Fixture.Member operator;
    private static Fixture.Member viewer;
    private static Fixture.Member otherAdmin;

    @BeforeEach
    void members() {
        if (tenant == null) {
            tenant = fixture.tenant("Rules API");
            admin = fixture.member(tenant, "admin");
            operator = fixture.member(tenant, "operator");
            viewer = fixture.member(tenant, "viewer");
            otherAdmin = fixture.member(fixture.tenant("Rules API other"), "admin");
        }
    }

    static Map<String, Object> threshold(String name) {
        return Map.of(
                "name", name,
                "severity", "critical",
                "scope", Map.of("type", "device_type", "device_type", "pump"),
                "key", "temperature",
                "condition", Map.of("type", "threshold", "operator", ">", "value", 80, "duration_s", 30),
                "clear_condition", Map.of("type", "threshold", "operator", "<", "value", 70),
                "actions", List.of(Map.of("type", "webhook", "url", "https://127.0.0.1/alert", "secret", "s3cret")));
    }

    @Test
    void anAdminCreatesReadsChangesAndDeletesARuleAndEachChangeIsAudited() {
        Api.Response created = api.post("/api/v1/rules", threshold("Pump hot"))
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode rule = created.json();
        String id = rule.get("id").asString();
        assertThat(rule.get("enabled").asBoolean()).isTrue();
        assertThat(rule.at("/scope/device_type").asString()).isEqualTo("pump");
        assertThat(rule.at("/condition/operator").asString()).isEqualTo(">");
        assertThat(rule.at("/condition/duration_s").asLong()).isEqualTo(30);
        assertThat(rule.at("/clear_condition/value").asDouble()).isEqualTo(70);
        assertThat(rule.at("/actions/0/url").asString()).isEqualTo("https://127.0.0.1/alert");
        assertThat(rule.at("/actions/0/secret").asString()).as("never shown").isEqualTo("********");

        Api.Response read =
                api.get("/api/v1/rules/" + id).bearer(viewer.accessToken()).send();
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("name").asString()).isEqualTo("Pump hot");
        Api.Response list =
                api.get("/api/v1/rules").bearer(operator.accessToken()).send();
        assertThat(list.json().get("items").valueStream().map(r -> r.get("id").asString()))
                .contains(id);
        assertThat(list.json().has("total")).isTrue();

        // a read-modify-write with the hidden secret keeps the stored one
        Map<String, Object> patch = Map.of(
                "enabled",
                false,
                "name",
                "Pump too hot",
                "actions",
                JSON.convertValue(rule.get("actions"), List.class));
        Api.Response changed = api.patch("/api/v1/rules/" + id, patch)
                .bearer(admin.accessToken())
                .send();
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("enabled").asBoolean()).isFalse();
        assertThat(changed.json().get("name").asString()).isEqualTo("Pump too hot");
        assertThat(changed.json().at("/condition/value").asDouble())
                .as("fields not named stay")
                .isEqualTo(80);

        Api.Response removedClear = api.patch(
                        "/api/v1/rules/" + id, java.util.Collections.singletonMap("clear_condition", null))
                .bearer(admin.accessToken())
                .send();
        assertThat(removedClear.json().get("clear_condition").isNull()).isTrue();

        assertThat(api.delete("/api/v1/rules/" + id)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        assertThat(api.get("/api/v1/rules/" + id)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);

        JsonNode audit = api.get("/api/v1/audit?target_id=" + id)
                .bearer(fixture.adminToken())
                .send()
                .json();
        assertThat(audit.get("items").valueStream().map(e -> e.get("action").asString()))
                .contains("rule.create", "rule.update", "rule.delete");
    }

    /** A client_rpc rule's change of the threshold rule: no clear condition, and {@code more}. */
    private static Map<String, Object> clientRpc(Map<String, Object> more) {
        Map<String, Object> change = new java.util.HashMap<>(more);
        change.put("condition", Map.of("type", "client_rpc"));
        change.put("clear_condition", null);
        return change;
    }

    static Stream<Arguments> badDefinitions() {
        return Stream.of(
                Arguments.of(
                        "unknown operator",
                        Map.of("condition", Map.of("type", "threshold", "operator", "=>", "value", 1)),
                        "condition.operator"),
                Arguments.of(
                        "min above max",
                        Map.of("condition", Map.of("type", "range", "min", 10, "max", 5)),
                        "condition.min"),
                Arguments.of("missing key", Map.of("key", ""), "key"),
                Arguments.of("unknown condition type", Map.of("condition", Map.of("type", "fuzzy")), "condition.type"),
                Arguments.of(
                        "negative duration",
                        Map.of("condition", Map.of("type", "threshold", "operator", ">", "value", 1, "duration_s", -1)),
                        "condition.duration_s"),
                Arguments.of(
                        "value not a number",
                        Map.of("condition", Map.of("type", "threshold", "operator", ">", "value", "hot")),
                        "condition.value"),
                Arguments.of("unknown severity", Map.of("severity", "urgent"), "severity"),
                Arguments.of("unknown field", Map.of("colour", "red"), "colour"),
                Arguments.of(
                        "webhook not over http(s)",
                        Map.of(
                                "actions",
                                List.of(Map.of("type", "webhook", "url", "file:///etc/passwd", "secret", "x"))),
                        "actions[0].url"),
                Arguments.of(
                        "webhook without secret",
                        Map.of("actions", List.of(Map.of("type", "webhook", "url", "https://127.0.0.1/a"))),
                        "actions[0].secret"),
                Arguments.of(
                        "bad e-mail",
                        Map.of("actions", List.of(Map.of("type", "email", "to", List.of("not-an-address")))),
                        "actions[0].to[0]"),
                Arguments.of(
                        "command to a device of nobody",
                        Map.of(
                                "actions",
                                List.of(Map.of(
                                        "type",
                                        "command",
                                        "device_id",
                                        UUID.randomUUID().toString(),
                                        "method",
                                        "stop"))),
                        "actions[0].device_id"),
                Arguments.of(
                        "scope naming a device of nobody",
                        Map.of(
                                "scope",
                                Map.of(
                                        "type",
                                        "devices",
                                        "device_ids",
                                        List.of(UUID.randomUUID().toString()))),
                        "scope.device_ids[0]"),
                Arguments.of("client_rpc rule without its reply", clientRpc(Map.of("actions", List.of())), "actions"),
                Arguments.of(
                        "rpc_reply on a threshold rule",
                        Map.of("actions", List.of(Map.of("type", "rpc_reply", "response", Map.of("ok", true)))),
                        "actions"),
                Arguments.of(
                        "rpc_reply without a response",
                        clientRpc(Map.of("actions", List.of(Map.of("type", "rpc_reply")))),
                        "actions[0].response"),
                Arguments.of(
                        "clear condition on a client_rpc rule",
                        Map.of(
                                "condition",
                                Map.of("type", "client_rpc"),
                                "clear_condition",
                                Map.of("type", "threshold", "operator", "<", "value", 1),
                                "actions",
                                List.of(Map.of("type", "rpc_reply", "response", 1))),
                        "clear_condition"),
                Arguments.of(
                        "clear condition of no-data kind",
                        Map.of("clear_condition", Map.of("type", "no_data", "seconds", 5)),
                        "clear_condition.type"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDefinitions")
    void aBadDefinitionIs400NamingTheFieldAndCreatesNothing(String label, Map<String, Object> change, String field) {
        long before = total();
        Map<String, Object> body = new java.util.HashMap<>(threshold("Bad " + label));
        body.putAll(change);
        Api.Response refused =
                api.post("/api/v1/rules", body).bearer(admin.accessToken()).send();
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().get("field").asString()).isEqualTo(field);
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void aPatchThatBreaksTheRuleIsRefusedAndChangesNothing() {
        String id = api.post("/api/v1/rules", threshold("Patch me"))
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("id")
                .asString();
        Api.Response refused = api.patch(
                        "/api/v1/rules/" + id,
                        Map.of("name", "renamed", "condition", Map.of("type", "range", "min", 3, "max", 1)))
                .bearer(admin.accessToken())
                .send();
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("field").asString()).isEqualTo("condition.min");
        assertThat(api.get("/api/v1/rules/" + id)
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("name")
                        .asString())
                .isEqualTo("Patch me");
    }

    @Test
    void onlyTheTenantsAdminsWriteRulesAndEveryMemberReadsThem() {
        assertThat(api.get("/api/v1/rules").send().status()).as("anonymous").isEqualTo(401);
        assertThat(api.post("/api/v1/rules", threshold("anon")).send().status()).isEqualTo(401);
        assertThat(api.post("/api/v1/rules", threshold("v"))
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.post("/api/v1/rules", threshold("o"))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        String id = api.post("/api/v1/rules", threshold("Admin's"))
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("id")
                .asString();
        assertThat(api.patch("/api/v1/rules/" + id, Map.of("enabled", false))
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.delete("/api/v1/rules/" + id)
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/rules/" + id)
                        .bearer(viewer.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);

        // another tenant's admin: the rule does not exist there
        assertThat(api.get("/api/v1/rules/" + id)
                        .bearer(otherAdmin.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.patch("/api/v1/rules/" + id, Map.of("enabled", false))
                        .bearer(otherAdmin.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.delete("/api/v1/rules/" + id)
                        .bearer(otherAdmin.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/rules")
                        .bearer(otherAdmin.accessToken())
                        .send()
                        .json()
                        .get("items")
                        .valueStream()
                        .map(r -> r.get("id").asString()))
                .doesNotContain(id);
        assertThat(api.get("/api/v1/rules/" + id)
                        .bearer(admin.accessToken())
                        .send()
                        .json()
                        .get("enabled")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void aTenantCannotHaveMoreRulesThanTheLimit() {
        Fixture.Member own = fixture.member(fixture.tenant("Rules limit"), "admin");
        for (int i = 0; i < 20; i++) { // insa.rules.max-per-tenant in the tests
            assertThat(api.post("/api/v1/rules", threshold("r" + i))
                            .bearer(own.accessToken())
                            .send()
                            .status())
                    .isEqualTo(201);
        }
        Api.Response refused = api.post("/api/v1/rules", threshold("one too many"))
                .bearer(own.accessToken())
                .send();
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("detail").asString()).contains("insa.rules.max-per-tenant");
    }

    private long total() {
        return api.get("/api/v1/rules")
                .bearer(admin.accessToken())
                .send()
                .json()
                .get("total")
                .asLong();
    }
}

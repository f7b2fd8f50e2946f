package io.insa.iiot.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Tenant API keys: shown once, scoped, bound to their tenant, revocable, with last use recorded. */
class ApiKeysIT extends IntegrationTest {

    @Test
    void keyIsShownOnceAndAuthenticatesInItsTenantWithItsScopes() {
        UUID tenant = fixture.tenant("Keys");
        UUID other = fixture.tenant("Not keys");
        Fixture.Member admin = fixture.member(tenant, "admin");

        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "historian", "scopes", List.of("read")))
                .bearer(admin.accessToken())
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String key = created.json().get("key").asString();
        assertThat(key).startsWith("iiot_");
        assertThat(created.json().at("/api_key/scopes").valueStream().map(JsonNode::asString))
                .containsExactly("read");

        JsonNode listed =
                api.get("/api/v1/api-keys").bearer(admin.accessToken()).send().json();
        assertThat(listed.get("total").asInt()).isEqualTo(1);
        assertThat(listed.toString()).doesNotContain(key.substring(12));
        assertThat(listed.at("/items/0/last_used_at").isNull()).isTrue();

        Api.Response read = api.get("/api/v1/tenants/" + tenant).apiKey(key).send();
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(api.get("/api/v1/tenants/" + tenant + "/quotas")
                        .apiKey(key)
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(api.get("/api/v1/tenants/" + other).apiKey(key).send().status())
                .as("another tenant")
                .isEqualTo(403);
        assertThat(api.patch("/api/v1/tenants/" + tenant, Map.of("name", "By key"))
                        .apiKey(key)
                        .send()
                        .status())
                .as("keys never administer")
                .isEqualTo(403);
        assertThat(api.get("/api/v1/tenants").apiKey(key).send().status()).isEqualTo(403);
        assertThat(api.get("/api/v1/audit").apiKey(key).send().status()).isEqualTo(403);

        JsonNode afterUse =
                api.get("/api/v1/api-keys").bearer(admin.accessToken()).send().json();
        assertThat(afterUse.at("/items/0/last_used_at").isNull()).isFalse();
    }

    @Test
    void scopesAreEnforced() {
        UUID tenant = fixture.tenant("Scopes");
        Fixture.Member admin = fixture.member(tenant, "admin");
        String ingestOnly = create(admin, Map.of("name", "gateway", "scopes", List.of("ingest")));
        Api.Response response =
                api.get("/api/v1/tenants/" + tenant).apiKey(ingestOnly).send();
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("detail").asString()).contains("read");

        Api.Response badScope = api.post("/api/v1/api-keys", Map.of("name", "bad", "scopes", List.of("root")))
                .bearer(admin.accessToken())
                .send();
        assertThat(badScope.status()).isEqualTo(400);
        assertThat(badScope.json().get("field").asString()).isEqualTo("scopes");
    }

    @Test
    void revokedExpiredAndUnknownKeysGet401() {
        UUID tenant = fixture.tenant("Revoked keys");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "temp", "scopes", List.of("read")))
                .bearer(admin.accessToken())
                .send();
        String key = created.json().get("key").asString();
        assertThat(api.get("/api/v1/tenants/" + tenant).apiKey(key).send().status())
                .isEqualTo(200);

        String id = created.json().at("/api_key/id").asString();
        assertThat(api.delete("/api/v1/api-keys/" + id)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(204);
        Api.Response revoked = api.get("/api/v1/tenants/" + tenant).apiKey(key).send();
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.header("Content-Type")).startsWith("application/problem+json");
        assertThat(api.delete("/api/v1/api-keys/" + id)
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);

        assertThat(api.get("/api/v1/tenants/" + tenant)
                        .apiKey("iiot_unknown")
                        .send()
                        .status())
                .isEqualTo(401);

        Api.Response past = api.post(
                        "/api/v1/api-keys",
                        Map.of(
                                "name",
                                "old",
                                "scopes",
                                List.of("read"),
                                "expires_at",
                                OffsetDateTime.now().minusDays(1).toString()))
                .bearer(admin.accessToken())
                .send();
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.json().get("field").asString()).isEqualTo("expires_at");
    }

    @Test
    void onlyTenantAdminsManageKeys() {
        UUID tenant = fixture.tenant("Key managers");
        Fixture.Member operator = fixture.member(tenant, "operator");
        Api.Response response = api.post("/api/v1/api-keys", Map.of("name", "nope", "scopes", List.of("read")))
                .bearer(operator.accessToken())
                .send();
        assertThat(response.status()).isEqualTo(403);
        assertThat(api.get("/api/v1/api-keys")
                        .bearer(operator.accessToken())
                        .send()
                        .status())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/api-keys").send().status()).isEqualTo(401);
    }

    @Test
    void keysOfAnotherTenantCannotBeRevoked() {
        UUID a = fixture.tenant("Key owner");
        UUID b = fixture.tenant("Key thief");
        Fixture.Member adminA = fixture.member(a, "admin");
        Fixture.Member adminB = fixture.member(b, "admin");
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "mine", "scopes", List.of("read")))
                .bearer(adminA.accessToken())
                .send();
        String id = created.json().at("/api_key/id").asString();
        assertThat(api.delete("/api/v1/api-keys/" + id)
                        .bearer(adminB.accessToken())
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/tenants/" + a)
                        .apiKey(created.json().get("key").asString())
                        .send()
                        .status())
                .isEqualTo(200);
    }

    private String create(Fixture.Member admin, Map<String, Object> body) {
        Api.Response created =
                api.post("/api/v1/api-keys", body).bearer(admin.accessToken()).send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("key").asString();
    }
}

package io.insa.iiot.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** The tenant rules beyond the matrix: last admin, self-removal, quotas, slugs and bad input. */
class TenantRulesIT extends IntegrationTest {

    @Test
    void nobodyRemovesThemselves() {
        UUID tenant = fixture.tenant("Self");
        Fixture.Member admin = fixture.member(tenant, "admin");
        fixture.member(tenant, "admin");
        Api.Response response = api.delete("/api/v1/tenants/" + tenant + "/users/" + admin.id())
                .bearer(admin.accessToken())
                .send();
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("detail").asString()).contains("themselves");
        assertThat(memberIds(tenant)).contains(admin.id().toString());
    }

    @Test
    void theLastAdminCanBeNeitherRemovedNorDemoted() {
        UUID tenant = fixture.tenant("Last admin");
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.Member operator = fixture.member(tenant, "operator");

        Api.Response removal = api.delete("/api/v1/tenants/" + tenant + "/users/" + admin.id())
                .bearer(fixture.adminToken())
                .send();
        assertThat(removal.status()).isEqualTo(409);
        assertThat(removal.json().get("detail").asString()).contains("last");

        Api.Response demotion = api.patch(
                        "/api/v1/tenants/" + tenant + "/users/" + admin.id() + "/role", Map.of("role", "viewer"))
                .bearer(admin.accessToken())
                .send();
        assertThat(demotion.status()).isEqualTo(409);
        assertThat(role(tenant, admin.id())).isEqualTo("admin");

        // with a second admin, the first may step down
        assertThat(api.patch("/api/v1/tenants/" + tenant + "/users/" + operator.id() + "/role", Map.of("role", "admin"))
                        .bearer(admin.accessToken())
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(api.patch("/api/v1/tenants/" + tenant + "/users/" + admin.id() + "/role", Map.of("role", "viewer"))
                        .bearer(fixture.adminToken())
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(role(tenant, admin.id())).isEqualTo("viewer");
        assertThat(api.get("/api/v1/auth/me").bearer(admin.accessToken()).send().status())
                .as("a token carrying the old role no longer works")
                .isEqualTo(401);
    }

    @Test
    void aTenantAdminCannotChangeQuotasOrStatus() {
        UUID tenant = fixture.tenant("Quota keeper");
        Fixture.Member admin = fixture.member(tenant, "admin");
        for (Map<String, Object> body : new Map[] {
            Map.of("max_devices", 100000), Map.of("status", "suspended"), Map.of("name", "Bigger", "max_users", 9999)
        }) {
            Api.Response response = api.patch("/api/v1/tenants/" + tenant, body)
                    .bearer(admin.accessToken())
                    .send();
            assertThat(response.status()).as(response.toString()).isEqualTo(403);
        }
        JsonNode unchanged = api.get("/api/v1/tenants/" + tenant)
                .bearer(admin.accessToken())
                .send()
                .json();
        assertThat(unchanged.get("name").asString()).isEqualTo("Quota keeper");
        assertThat(unchanged.get("status").asString()).isEqualTo("active");

        Api.Response bySystemAdmin = api.patch(
                        "/api/v1/tenants/" + tenant, Map.of("max_devices", 5, "status", "suspended"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(bySystemAdmin.status()).isEqualTo(200);
        assertThat(bySystemAdmin.json().get("max_devices").asInt()).isEqualTo(5);
        assertThat(bySystemAdmin.json().get("status").asString()).isEqualTo("suspended");
    }

    @Test
    void duplicateSlugIsAConflict() {
        String slug = Fixture.unique("dup");
        assertThat(create(Map.of("name", "One", "slug", slug)).status()).isEqualTo(201);
        Api.Response second = create(Map.of("name", "Two", "slug", slug));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("detail").asString()).contains(slug);

        UUID other = fixture.tenant("Other");
        Api.Response rename = api.patch("/api/v1/tenants/" + other, Map.of("slug", slug))
                .bearer(fixture.adminToken())
                .send();
        assertThat(rename.status()).isEqualTo(409);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            uppercase slug          | {"name":"X","slug":"Bad-Slug"}              | slug
            slug too short          | {"name":"X","slug":"a"}                     | slug
            slug with underscore    | {"name":"X","slug":"a_b"}                   | slug
            missing name            | {"slug":"fine-slug"}                        | name
            negative quota          | {"name":"X","slug":"neg-q","max_devices":-1} | max_devices
            wrong type              | {"name":"X","slug":"typed","max_users":"many"} | max_users
            unknown field           | {"name":"X","slug":"unk","colour":"red"}    | colour
            bad status              | {"name":"X","slug":"stat","status":"paused"} | status
            malformed JSON          | {"name":"X",                                | body
            """)
    void malformedTenantInputGets400NamingTheFieldAndChangesNothing(String label, String body, String field) {
        long before = tenantCount();
        Api.Response response = create(body);
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("field").asString()).isEqualTo(field);
        assertThat(response.json().get("detail").asString()).contains(field);
        assertThat(tenantCount()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            bad e-mail      | {"email":"not-an-email","role":"viewer"}     | email
            unknown role    | {"email":"ok@it.example","role":"superuser"} | role
            missing role    | {"email":"ok2@it.example"}                   | role
            malformed JSON  | {"email":                                    | body
            """)
    void malformedInviteGets400NamingTheField(String label, String body, String field) {
        UUID tenant = fixture.tenant("Bad invites");
        Api.Response response = api.post("/api/v1/tenants/" + tenant + "/users/invite", body)
                .bearer(fixture.adminToken())
                .send();
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("field").asString()).isEqualTo(field);
        assertThat(response.json().get("detail").asString()).contains(field);
        assertThat(memberIds(tenant)).isEmpty();
    }

    @Test
    void malformedRoleChangeGets400() {
        UUID tenant = fixture.tenant("Bad roles");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Api.Response response = api.patch(
                        "/api/v1/tenants/" + tenant + "/users/" + viewer.id() + "/role", Map.of("role", "owner"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("field").asString()).isEqualTo("role");
        assertThat(role(tenant, viewer.id())).isEqualTo("viewer");
    }

    @Test
    void invitingBeyondMaxUsersGets422AndAddsNobody() {
        UUID tenant = fixture.tenant("Small", Map.of("max_users", 2));
        fixture.member(tenant, "admin");
        fixture.member(tenant, "viewer");
        Api.Response third = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite",
                        Map.of("email", Fixture.unique("third") + "@it.example", "role", "viewer"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(third.status()).isEqualTo(422);
        assertThat(third.json().get("detail").asString()).contains("max_users is 2");
        assertThat(memberIds(tenant)).hasSize(2);
        JsonNode quotas = api.get("/api/v1/tenants/" + tenant + "/quotas")
                .bearer(fixture.adminToken())
                .send()
                .json();
        assertThat(quotas.at("/users/used").asInt()).isEqualTo(2);
        assertThat(quotas.at("/users/percentage").asDouble()).isEqualTo(100.0);
    }

    @Test
    void invitingAnExistingMemberIsAConflict() {
        UUID tenant = fixture.tenant("Twice");
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        Api.Response again = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", viewer.email(), "role", "admin"))
                .bearer(fixture.adminToken())
                .send();
        assertThat(again.status()).isEqualTo(409);
        assertThat(role(tenant, viewer.id())).isEqualTo("viewer");
    }

    @Test
    void pageSizeIsCapped() {
        Api.Response response = api.get("/api/v1/tenants?size=100000")
                .bearer(fixture.adminToken())
                .send();
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("field").asString()).isEqualTo("size");
    }

    private Api.Response create(Object body) {
        return api.post("/api/v1/tenants", body).bearer(fixture.adminToken()).send();
    }

    private long tenantCount() {
        return api.get("/api/v1/tenants?size=1")
                .bearer(fixture.adminToken())
                .send()
                .json()
                .get("total")
                .asLong();
    }

    private java.util.List<String> memberIds(UUID tenant) {
        JsonNode users = api.get("/api/v1/tenants/" + tenant + "/users?size=500")
                .bearer(fixture.adminToken())
                .send()
                .json();
        return users.get("items").valueStream().map(u -> u.get("id").asString()).toList();
    }

    private String role(UUID tenant, UUID user) {
        JsonNode users = api.get("/api/v1/tenants/" + tenant + "/users?size=500")
                .bearer(fixture.adminToken())
                .send()
                .json();
        return users.get("items")
                .valueStream()
                .filter(u -> u.get("id").asString().equals(user.toString()))
                .map(u -> u.get("role").asString())
                .findFirst()
                .orElseThrow();
    }
}

package io.insa.iiot.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every audited action leaves a row with actor, tenant, client address and outcome; the log is
 * filtered and exported per caller: tenant admins see their tenant, system admins everything.
 */
class AuditIT extends IntegrationTest {

    private static final String IP = "198.51.100.23";

    private static UUID tenant;
    private static UUID otherTenant;
    private static Fixture.Member admin;
    private static Fixture.Member operator;
    private static UUID apiKeyId;
    private static Fixture.Member viewer;

    @BeforeEach
    void story() {
        if (tenant != null) {
            return;
        }
        tenant = fixture.tenant("Audited");
        otherTenant = fixture.tenant("Unrelated");
        fixture.member(otherTenant, "admin");
        admin = fixture.member(tenant, "admin");
        operator = fixture.member(tenant, "operator");
        // one of each audited action, all from one client address
        send(
                api.patch("/api/v1/tenants/" + tenant, Map.of("name", "Audited Renamed"))
                        .bearer(admin.accessToken()),
                200);
        send(
                api.patch("/api/v1/tenants/" + tenant, Map.of("status", "suspended"))
                        .bearer(fixture.adminToken()),
                200);
        send(api.patch("/api/v1/tenants/" + tenant, Map.of("status", "active")).bearer(fixture.adminToken()), 200);
        send(
                api.patch("/api/v1/tenants/" + tenant + "/users/" + operator.id() + "/role", Map.of("role", "viewer"))
                        .bearer(admin.accessToken()),
                200);
        send(
                api.post(
                                "/api/v1/tenants/" + tenant + "/users/invite",
                                Map.of("email", Fixture.unique("invited") + "@it.example", "role", "viewer"))
                        .bearer(admin.accessToken()),
                201);
        Fixture.Member leaver = fixture.member(tenant, "viewer");
        send(api.delete("/api/v1/tenants/" + tenant + "/users/" + leaver.id()).bearer(admin.accessToken()), 204);
        Api.Response key = send(
                api.post("/api/v1/api-keys", Map.of("name", "audited", "scopes", List.of("read")))
                        .bearer(admin.accessToken()),
                201);
        apiKeyId = UUID.fromString(key.json().at("/api_key/id").asString());
        send(api.delete("/api/v1/api-keys/" + apiKeyId).bearer(admin.accessToken()), 204);
        send(api.post("/api/v1/auth/login", Map.of("email", admin.email(), "password", "wrong-password")), 401);
        send(api.post("/api/v1/auth/login", Map.of("email", admin.email(), "password", admin.password())), 200);
        Fixture.Member leaving = fixture.member(tenant, "viewer");
        send(
                api.post(
                                "/api/v1/auth/password",
                                Map.of("current_password", leaving.password(), "new_password", "another-password"))
                        .bearer(leaving.accessToken()),
                204);
        send(
                api.post("/api/v1/auth/switch-tenant", Map.of("tenant_id", tenant.toString()))
                        .bearer(leaving.accessToken()),
                200);
        send(api.post("/api/v1/auth/logout", null).bearer(leaving.accessToken()), 204);
        viewer = leaving;
    }

    private Api.Response send(Api.Call call, int expected) {
        Api.Response response =
                call.from(IP).header("User-Agent", "audit-it/1.0").send();
        assertThat(response.status()).as(response.toString()).isEqualTo(expected);
        return response;
    }

    @Test
    void everyAuditedActionHasActorTenantAddressAndOutcome() {
        JsonNode entries =
                auditAsSystemAdmin("tenant_id=" + tenant + "&size=500").get("items");
        Map<String, String> expectedActors = Map.of(
                "tenant.update", admin.email(),
                "tenant.suspend", ADMIN_EMAIL,
                "tenant.activate", ADMIN_EMAIL,
                "tenant.role_change", admin.email(),
                "tenant.invite", admin.email(),
                "tenant.remove_user", admin.email(),
                "api_key.create", admin.email(),
                "api_key.revoke", admin.email());
        expectedActors.forEach((action, actor) -> assertThat(entries).as(action).anySatisfy(e -> {
            assertThat(e.get("action").asString()).isEqualTo(action);
            assertThat(e.get("actor_label").asString()).isEqualTo(actor);
            assertThat(e.get("actor_type").asString()).isEqualTo("user");
            assertThat(e.get("tenant_id").asString()).isEqualTo(tenant.toString());
            assertThat(e.get("client_ip").asString()).isEqualTo(IP);
            assertThat(e.get("user_agent").asString()).isEqualTo("audit-it/1.0");
            assertThat(e.get("outcome").asString()).isEqualTo("success");
        }));
        Map<String, String> userActions = Map.of(
                "auth.password_change", viewer.email(),
                "auth.switch_tenant", viewer.email(),
                "auth.logout", viewer.email());
        userActions.forEach((action, actor) -> assertThat(entries).as(action).anySatisfy(e -> {
            assertThat(e.get("action").asString()).isEqualTo(action);
            assertThat(e.get("actor_label").asString()).isEqualTo(actor);
            assertThat(e.get("client_ip").asString()).isEqualTo(IP);
            assertThat(e.get("outcome").asString()).isEqualTo("success");
        }));
        assertThat(entries).as("tenant.invite_accept").anySatisfy(e -> {
            assertThat(e.get("action").asString()).isEqualTo("tenant.invite_accept");
            assertThat(e.get("actor_label").asString()).isEqualTo(viewer.email());
            assertThat(e.get("client_ip").asString()).isEqualTo("127.0.0.1");
        });
        JsonNode roleChange = entries.valueStream()
                .filter(e -> e.get("action").asString().equals("tenant.role_change"))
                .findFirst()
                .orElseThrow();
        assertThat(roleChange.at("/details/before").asString()).isEqualTo("operator");
        assertThat(roleChange.at("/details/after").asString()).isEqualTo("viewer");
        JsonNode rename = entries.valueStream()
                .filter(e -> e.get("action").asString().equals("tenant.update"))
                .findFirst()
                .orElseThrow();
        assertThat(rename.at("/details/before/name").asString()).isEqualTo("Audited");
        assertThat(rename.at("/details/after/name").asString()).isEqualTo("Audited Renamed");

        JsonNode logins =
                auditAsSystemAdmin("action=auth.login&actor=" + admin.email()).get("items");
        assertThat(logins).anySatisfy(e -> {
            assertThat(e.get("outcome").asString()).isEqualTo("failure");
            assertThat(e.get("client_ip").asString()).isEqualTo(IP);
        });
        assertThat(logins).anySatisfy(e -> {
            assertThat(e.get("outcome").asString()).isEqualTo("success");
            assertThat(e.get("tenant_id").asString()).isEqualTo(tenant.toString());
        });
        assertThat(auditAsSystemAdmin("action=tenant.create&target_id=" + tenant)
                        .get("total")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void tenantAdminSeesOnlyTheirTenant() {
        Api.Response response =
                api.get("/api/v1/audit?size=500").bearer(admin.accessToken()).send();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("items"))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("tenant_id").asString()).isEqualTo(tenant.toString()));

        Api.Response other = api.get("/api/v1/audit?tenant_id=" + otherTenant)
                .bearer(admin.accessToken())
                .send();
        assertThat(other.status()).isEqualTo(403);
    }

    @Test
    void membersWhoAreNotAdminsAndAnonymousCallersCannotReadTheLog() {
        assertThat(api.get("/api/v1/audit").send().status()).isEqualTo(401);
        Fixture.Member viewer = fixture.member(tenant, "viewer");
        assertThat(api.get("/api/v1/audit").bearer(viewer.accessToken()).send().status())
                .isEqualTo(403);
    }

    @Test
    void systemAdminSeesEveryTenantAndSystemEvents() {
        JsonNode all = auditAsSystemAdmin("size=500");
        assertThat(all.get("items")
                        .valueStream()
                        .map(e -> e.get("tenant_id").asString())
                        .distinct()
                        .count())
                .isGreaterThan(1);
        assertThat(auditAsSystemAdmin("action=user.bootstrap_admin")
                        .get("total")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void filtersCombine() {
        JsonNode filtered =
                auditAsSystemAdmin("tenant_id=" + tenant + "&action=api_key.revoke&target_type=api_key&target_id="
                        + apiKeyId + "&from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
        assertThat(filtered.get("total").asInt()).isEqualTo(1);
        assertThat(auditAsSystemAdmin("tenant_id=" + tenant + "&to=2020-01-01T00:00:00Z")
                        .get("total")
                        .asInt())
                .isZero();
    }

    @Test
    void csvExportHasAHeaderAndOneLinePerEntry() {
        Api.Response csv = api.get("/api/v1/audit/export?action=tenant.role_change&tenant_id=" + tenant)
                .bearer(admin.accessToken())
                .send();
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        String[] lines = csv.text().split("\r\n");
        assertThat(lines[0]).startsWith("id,at,tenant_id,actor_type,actor_id,actor_label,action");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).contains("tenant.role_change", admin.email(), IP, "\"\"before\"\":\"\"operator\"\"");
    }

    /** Finding 13: the role claim of a token can be stale; the membership in the database decides. */
    @Test
    void aTenantAdminWhoseMembershipNoLongerSaysAdminIsRefusedAtOnce() throws SQLException {
        UUID demotedTenant = fixture.tenant("Audit demoted");
        fixture.member(demotedTenant, "admin");
        Fixture.Member demoted = fixture.member(demotedTenant, "admin");
        assertThat(api.get("/api/v1/audit").bearer(demoted.accessToken()).send().status())
                .isEqualTo(200);
        try (Connection c = TestDatabase.get().connectAsApp();
                PreparedStatement context = c.prepareStatement("SELECT set_config('app.tenant_id', ?, false)");
                PreparedStatement demote =
                        c.prepareStatement("UPDATE memberships SET role = 'viewer' WHERE user_id = ?")) {
            context.setString(1, demotedTenant.toString());
            context.execute();
            demote.setObject(1, demoted.id());
            assertThat(demote.executeUpdate()).isEqualTo(1);
        }

        for (String path : List.of("/api/v1/audit", "/api/v1/audit/export")) {
            Api.Response refused = api.get(path).bearer(demoted.accessToken()).send();
            assertThat(refused.status())
                    .as(path + " with a token that still says admin")
                    .isEqualTo(403);
        }
    }

    @Test
    void csvExportWritesWhatCallersSentAsTextNeverAsAFormula() {
        String email = "=2+3" + UUID.randomUUID().toString().substring(0, 8) + "@it.example";
        Api.Response login = api.post("/api/v1/auth/login", Map.of("email", email, "password", "wrong-password"))
                .from(Fixture.freshIp())
                .header("User-Agent", "=2+3")
                .send();
        assertThat(login.status()).as(login.toString()).isEqualTo(401);

        Api.Response csv = api.get("/api/v1/audit/export?action=auth.login&actor="
                        + java.net.URLEncoder.encode(email, java.nio.charset.StandardCharsets.UTF_8))
                .bearer(fixture.adminToken())
                .send();
        assertThat(csv.status()).as(csv.toString()).isEqualTo(200);
        String[] lines = csv.text().split("\r\n");
        assertThat(lines).hasSize(2);
        List<String> cells = List.of(lines[1].split(","));
        assertThat(cells).contains("'" + email, "'=2+3", "failure");
        assertThat(cells).noneMatch(cell -> cell.matches("^[=+\\-@\t\r].*"));
    }

    private JsonNode auditAsSystemAdmin(String query) {
        Api.Response response =
                api.get("/api/v1/audit?" + query).bearer(fixture.adminToken()).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }
}

package io.insa.iiot.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.Mailbox;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An audit entry commits in the same transaction as the change it records, or neither does: with the
 * audit insert made to fail (a trigger that refuses entries carrying a marker), the change is rolled
 * back too.
 */
@Timeout(60)
class AuditAtomicityIT extends IntegrationTest {

    private static final String MARKER = "audit-must-fail";

    /** Each test, since the schema exists only once the platform has started. */
    @BeforeEach
    void auditInsertsWithTheMarkerFail() throws SQLException {
        owner("""
                CREATE OR REPLACE FUNCTION test_refuse_marked_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.details::text LIKE '%%%s%%' THEN
                    RAISE EXCEPTION 'audit insert refused by the test';
                  END IF;
                  RETURN NEW;
                END $$;
                DROP TRIGGER IF EXISTS test_refuse_marked_audit ON audit_log;
                CREATE TRIGGER test_refuse_marked_audit BEFORE INSERT ON audit_log
                  FOR EACH ROW EXECUTE FUNCTION test_refuse_marked_audit();
                """.formatted(MARKER));
    }

    @AfterAll
    static void auditInsertsWorkAgain() throws SQLException {
        owner("DROP TRIGGER test_refuse_marked_audit ON audit_log; DROP FUNCTION test_refuse_marked_audit()");
    }

    @Test
    void aTenantWhoseAuditEntryFailsIsNotCreated() {
        String slug = Fixture.unique("atomic");
        Api.Response created = api.post("/api/v1/tenants", Map.of("name", MARKER, "slug", slug))
                .bearer(fixture.adminToken())
                .send();

        assertThat(created.status()).as(created.toString()).isEqualTo(500);
        Api.Response again = api.post("/api/v1/tenants", Map.of("name", "Audited", "slug", slug))
                .bearer(fixture.adminToken())
                .send();
        assertThat(again.status()).as("the slug is still free: " + again).isEqualTo(201);
    }

    @Test
    void aTenantUpdateWhoseAuditEntryFailsChangesNothing() {
        UUID tenant = fixture.tenant("Unchanged");

        Api.Response renamed = api.patch("/api/v1/tenants/" + tenant, Map.of("name", MARKER))
                .bearer(fixture.adminToken())
                .send();

        assertThat(renamed.status()).isEqualTo(500);
        assertThat(api.get("/api/v1/tenants/" + tenant)
                        .bearer(fixture.adminToken())
                        .send()
                        .json()
                        .get("name")
                        .asString())
                .isEqualTo("Unchanged");
    }

    @Test
    void anApiKeyWhoseAuditEntryFailsDoesNotExist() {
        Fixture.Member admin = fixture.member(fixture.tenant("Keys"), "admin");

        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", MARKER, "scopes", List.of("read")))
                .bearer(admin.accessToken())
                .send();

        assertThat(created.status()).isEqualTo(500);
        assertThat(listed("/api/v1/api-keys", admin)).isZero();
    }

    @Test
    void aDeviceWhoseAuditEntryFailsDoesNotExist() {
        Fixture.Member operator = fixture.member(fixture.tenant("Devices"), "operator");

        Api.Response created = api.post("/api/v1/devices", Map.of("name", MARKER, "type", "sensor"))
                .bearer(operator.accessToken())
                .send();

        assertThat(created.status()).isEqualTo(500);
        assertThat(listed("/api/v1/devices", operator)).isZero();
    }

    @Test
    void anInvitationWhoseAuditEntryFailsIsNeitherStoredNorMailed() {
        UUID tenant = fixture.tenant("Invites");
        String email = Fixture.unique(MARKER) + "@it.example";

        Api.Response invite = api.post(
                        "/api/v1/tenants/" + tenant + "/users/invite", Map.of("email", email, "role", "viewer"))
                .bearer(fixture.adminToken())
                .send();

        assertThat(invite.status()).isEqualTo(500);
        assertThat(api.get("/api/v1/tenants/" + tenant + "/quotas")
                        .bearer(fixture.adminToken())
                        .send()
                        .json()
                        .at("/users/used")
                        .asInt())
                .as("no seat is held")
                .isZero();
        assertThat(Mailbox.textsTo(email)).isEmpty();
    }

    /** How many items a list endpoint shows the member. */
    private int listed(String path, Fixture.Member member) {
        return api.get(path)
                .bearer(member.accessToken())
                .send()
                .json()
                .get("total")
                .asInt();
    }

    private static void owner(String sql) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsOwner();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

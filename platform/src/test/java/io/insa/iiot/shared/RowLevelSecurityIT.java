package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Row-level security, proved as the runtime role over plain JDBC: for every tenant-owned table, a
 * query without any tenant filter in tenant A's context sees none of tenant B's rows, and writes that
 * carry tenant B's id fail. Every table with a {@code tenant_id} column must appear here.
 */
class RowLevelSecurityIT extends IntegrationTest {

    /**
     * How to insert one row of a table for a tenant ({@code ?1}; {@code ?2} is a user), in an order
     * that satisfies the foreign keys.
     */
    static final Map<String, String> SEEDS = new LinkedHashMap<>();

    static {
        SEEDS.put(
                "memberships",
                "INSERT INTO memberships (tenant_id, user_id, role, joined_at) VALUES (?1, ?2, 'viewer', now())");
        SEEDS.put(
                "invitations",
                "INSERT INTO invitations (id, tenant_id, email, role, token_hash, created_at, expires_at) "
                        + "VALUES (gen_random_uuid(), ?1, 'x@it.example', 'viewer', gen_random_uuid()::text, now(), now() + interval '1 day')");
        SEEDS.put(
                "api_keys",
                "INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes, created_at) "
                        + "VALUES (gen_random_uuid(), ?1, 'k', 'iiot_x', gen_random_uuid()::text, '{read}', now())");
        SEEDS.put(
                "audit_log",
                "INSERT INTO audit_log (id, at, tenant_id, actor_type, action, outcome) "
                        + "VALUES (gen_random_uuid(), now(), ?1, 'system', 'test.seed', 'success')");
        SEEDS.put(
                "devices",
                "INSERT INTO devices (id, tenant_id, name, type, created_at, updated_at) "
                        + "VALUES (gen_random_uuid(), ?1, 'seed-' || gen_random_uuid(), 'seed', now(), now())");
        SEEDS.put(
                "device_credentials",
                "WITH d AS (INSERT INTO devices (id, tenant_id, name, type, created_at, updated_at) "
                        + "VALUES (gen_random_uuid(), ?1, 'seed-' || gen_random_uuid(), 'seed', now(), now()) RETURNING id) "
                        + "INSERT INTO device_credentials (device_id, tenant_id, token_hash, rotated_at) "
                        + "SELECT id, ?1, gen_random_uuid()::text, now() FROM d");
        SEEDS.put(
                "device_attributes",
                "INSERT INTO device_attributes (tenant_id, device_id, scope, key, value, updated_at) "
                        + "SELECT ?1, id, 'shared', 'k-' || gen_random_uuid(), '1', now() FROM devices LIMIT 1");
        SEEDS.put(
                "telemetry_keys", "INSERT INTO telemetry_keys (tenant_id, key) VALUES (?1, 'k-' || gen_random_uuid())");
        SEEDS.put(
                "telemetry",
                "INSERT INTO telemetry (tenant_id, device_id, key_id, ts, long_v) "
                        + "VALUES (?1, gen_random_uuid(), 1, now(), 1)");
        SEEDS.put(
                "telemetry_compact",
                "INSERT INTO telemetry_compact (tenant_id, device_id, key_id, hour, n, ts_delta, long_v) "
                        + "VALUES (?1, gen_random_uuid(), 1, date_bin('1 hour', now(), timestamptz 'epoch'), 1, '{0}', '{1}')");
        SEEDS.put(
                "telemetry_latest",
                "INSERT INTO telemetry_latest (tenant_id, device_id, key_id, ts, long_v) "
                        + "VALUES (?1, gen_random_uuid(), 1, now(), 1)");
        SEEDS.put(
                "telemetry_usage",
                "INSERT INTO telemetry_usage (tenant_id, day, points) "
                        + "VALUES (?1, current_date - (random() * 100000)::int, 1)");
        SEEDS.put(
                "opcua_connectors",
                "INSERT INTO opcua_connectors (id, tenant_id, name, endpoint_url, security_policy, security_mode, auth_type,"
                        + " enabled, publishing_interval_ms, mappings, created_at, updated_at) VALUES (gen_random_uuid(), ?1,"
                        + " 'c-' || gen_random_uuid(), 'opc.tcp://127.0.0.1:1/x', 'None', 'None', 'anonymous', false, 1000, '[]', now(), now())");
        SEEDS.put(
                "opcua_client_certificates",
                "INSERT INTO opcua_client_certificates (tenant_id, certificate, private_key_sealed, created_at)"
                        + " VALUES (?1, '\\x00', 'sealed', now())");
        SEEDS.put(
                "device_certificates",
                "WITH d AS (INSERT INTO devices (id, tenant_id, name, type, created_at, updated_at) "
                        + "VALUES (gen_random_uuid(), ?1, 'seed-' || gen_random_uuid(), 'seed', now(), now()) RETURNING id) "
                        + "INSERT INTO device_certificates (device_id, tenant_id, thumbprint, subject, not_after, created_at) "
                        + "SELECT id, ?1, gen_random_uuid()::text, 'CN=seed', now(), now() FROM d");
        SEEDS.put(
                "ca_certificates",
                "INSERT INTO ca_certificates (id, tenant_id, subject, thumbprint, certificate_pem, not_after, auto_provision,"
                        + " created_at, verification_code) VALUES (gen_random_uuid(), ?1, 'CN=' || gen_random_uuid(), gen_random_uuid()::text,"
                        + " 'pem', now(), false, now(), 'code')");
        SEEDS.put(
                "revoked_certificates",
                "WITH a AS (INSERT INTO ca_certificates (id, tenant_id, subject, thumbprint, certificate_pem, not_after,"
                        + " auto_provision, created_at, verification_code) VALUES (gen_random_uuid(), ?1, 'CN=' ||"
                        + " gen_random_uuid(), gen_random_uuid()::text, 'pem', now(), false, now(), 'code') RETURNING id) "
                        + "INSERT INTO revoked_certificates (ca_id, tenant_id, serial_number, revoked_at) "
                        + "SELECT id, ?1, md5(random()::text), now() FROM a");
        SEEDS.put(
                "anomaly_settings",
                "INSERT INTO anomaly_settings (tenant_id, enabled, scope, keys, updated_at) "
                        + "VALUES (?1, true, '{\"type\":\"all\"}', '{}', now())");
        SEEDS.put(
                "anomaly_models",
                "INSERT INTO anomaly_models (tenant_id, device_id, key, state, seen, updated_at) "
                        + "VALUES (?1, gen_random_uuid(), 'k', '\\x01', 1, now())");
        SEEDS.put(
                "rules",
                "INSERT INTO rules (id, tenant_id, name, enabled, severity, scope, key, condition, actions, created_at, updated_at) "
                        + "VALUES (gen_random_uuid(), ?1, 'r', true, 'major', '{\"type\":\"all\"}', 'k', "
                        + "'{\"type\":\"no_data\",\"seconds\":5}', '[]', now(), now())");
        SEEDS.put(
                "rule_states",
                "INSERT INTO rule_states (tenant_id, rule_id, device_id, version, firing) "
                        + "SELECT ?1, id, gen_random_uuid(), now(), false FROM rules LIMIT 1");
        SEEDS.put(
                "alerts",
                "INSERT INTO alerts (id, tenant_id, rule_id, rule_name, device_id, device_name, key, severity, status, started_at) "
                        + "VALUES (gen_random_uuid(), ?1, gen_random_uuid(), 'r', gen_random_uuid(), 'd', 'k', 'major', 'active', now())");
        SEEDS.put(
                "alert_events",
                "INSERT INTO alert_events (id, tenant_id, alert_id, at, type) "
                        + "SELECT gen_random_uuid(), ?1, id, now(), 'raised' FROM alerts LIMIT 1");
        SEEDS.put(
                "notifications",
                "INSERT INTO notifications (id, tenant_id, alert_id, rule_id, event, action, status, next_attempt_at, created_at) "
                        + "SELECT gen_random_uuid(), ?1, id, rule_id, 'raised', '{}', 'dead', now(), now() FROM alerts LIMIT 1");
    }

    private static UUID tenantA;
    private static UUID tenantB;
    private static UUID userA;
    private static UUID userB;

    @BeforeEach
    void tenants() throws SQLException {
        if (tenantA != null) {
            return;
        }
        tenantA = fixture.tenant("RLS A");
        tenantB = fixture.tenant("RLS B");
        userA = fixture.member(tenantA, "viewer").id();
        userB = fixture.member(tenantB, "viewer").id();
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            strings(c, "SELECT app_ensure_telemetry_partition((now() AT TIME ZONE 'UTC')::date)");
            strings(c, "SELECT app_ensure_telemetry_compact_partition((now() AT TIME ZONE 'UTC')::date)");
            // the fixture made memberships; every other table gets a row of each tenant
            for (String table : SEEDS.keySet()) {
                if (!table.equals("memberships")) {
                    setTenant(c, tenantA);
                    seed(c, table, tenantA, userA);
                    setTenant(c, tenantB);
                    seed(c, table, tenantB, userB);
                }
            }
            c.commit();
        }
    }

    static Stream<String> tenantOwnedTables() {
        return SEEDS.keySet().stream();
    }

    @Test
    void everyTableWithATenantIdIsCoveredAndHasForcedRowLevelSecurity() throws SQLException {
        try (Connection c = TestDatabase.get().connectAsOwner()) {
            Set<String> withTenantId = new TreeSet<>(strings(c, """
                    SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped"""));
            assertThat(withTenantId)
                    .as("tenant-owned tables without an RLS test case")
                    .isEqualTo(new TreeSet<>(SEEDS.keySet()));
            for (String table : withTenantId) {
                List<String> flags = strings(
                        c,
                        "SELECT relrowsecurity || ',' || relforcerowsecurity FROM pg_class WHERE relname = '" + table
                                + "'");
                assertThat(flags).as(table + " RLS enabled and forced").containsExactly("true,true");
                assertThat(strings(c, "SELECT policyname FROM pg_policies WHERE tablename = '" + table + "'"))
                        .as(table + " policies")
                        .isNotEmpty();
            }
        }
    }

    /** The cross-tenant paths are few and named; a new one must be added here on purpose. */
    @Test
    void theOnlyCrossTenantPathsAreTheNamedFunctions() throws SQLException {
        try (Connection c = TestDatabase.get().connectAsOwner()) {
            assertThat(strings(
                            c, "SELECT proname FROM pg_proc WHERE prosecdef AND pronamespace = 'public'::regnamespace"))
                    .containsExactlyInAnyOrder(
                            "app_memberships_of",
                            "app_invitation_by_token",
                            "app_open_invitations_for",
                            "app_api_key_by_hash",
                            "app_audit_search",
                            "app_audit_count",
                            "app_audit_purge",
                            "app_device_by_token",
                            "app_device_by_mqtt_username",
                            "app_tenant_of_device",
                            "app_ensure_telemetry_partition",
                            "app_claim_notifications",
                            "app_drop_telemetry_partitions_before",
                            "app_ensure_telemetry_compact_partition",
                            "app_release_telemetry_partition",
                            "app_opcua_connector_ids",
                            "app_telemetry_usage_on");
        }
    }

    /** A definer function must not resolve names through a schema the caller controls, pg_temp least of all. */
    @Test
    void everySecurityDefinerFunctionSearchesPgTempLast() throws SQLException {
        try (Connection c = TestDatabase.get().connectAsOwner()) {
            List<String> functions = strings(c, """
                    SELECT p.oid::regprocedure || '#'
                           || coalesce((SELECT s FROM unnest(p.proconfig) s WHERE s LIKE 'search_path=%'), '')
                    FROM pg_proc p
                    WHERE p.prosecdef AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)""");
            assertThat(functions).hasSizeGreaterThanOrEqualTo(10).allSatisfy(function -> {
                String searchPath = function.substring(function.indexOf('#') + 1);
                assertThat(searchPath).as(function).startsWith("search_path=");
                List<String> schemas = Stream.of(
                                searchPath.substring("search_path=".length()).split(","))
                        .map(String::strip)
                        .toList();
                assertThat(schemas).as(function).isEqualTo(List.of("public", "pg_temp"));
            });
        }
    }

    @Test
    void theRuntimeRoleCannotPurgeAuditRowsYoungerThanTheRetention() throws SQLException {
        String action = "test.purge-" + UUID.randomUUID();
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            setTenant(c, tenantA);
            for (int daysAgo : new int[] {10, 400}) {
                update(
                        c,
                        "INSERT INTO audit_log (id, at, tenant_id, actor_type, action, outcome, details) VALUES "
                                + "(gen_random_uuid(), now() - interval '" + daysAgo + " days', '" + tenantA
                                + "', 'system', '" + action + "', 'success', jsonb_build_object('days_ago', " + daysAgo
                                + "))");
            }
            c.commit();

            assertThatThrownBy(() -> update(c, "UPDATE app_settings SET audit_retention_days = 1"))
                    .as("the retention the purge holds to is the owner's")
                    .hasMessageContaining("permission denied");
            c.rollback();

            strings(c, "SELECT app_audit_purge(now() + interval '1 day')");
            c.commit();
        }
        try (Connection c = TestDatabase.get().connectAsOwner()) {
            assertThat(strings(c, "SELECT audit_retention_days FROM app_settings"))
                    .as("insa.audit.retention-days, written at start")
                    .containsExactly("365");
            assertThat(strings(c, "SELECT details->>'days_ago' FROM audit_log WHERE action = '" + action + "'"))
                    .as("the retention (365 days) holds whatever cutoff the caller passes")
                    .containsExactly("10");
        }
    }

    @Test
    void theRuntimeRoleCannotDropTelemetryPartitionsWithinTheLongestRetention() throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            String today = "(now() AT TIME ZONE 'UTC')::date";
            strings(c, "SELECT app_ensure_telemetry_partition(" + today + " - 5)");
            List<String> before = strings(c, "SELECT app_ensure_telemetry_partition(" + today + ")");
            strings(c, "SELECT app_drop_telemetry_partitions_before(" + today + " + 1)");
            c.commit();
            assertThat(strings(
                            c,
                            "SELECT to_regclass(p)::text FROM unnest(ARRAY[to_char(" + today
                                    + " - 5, '\"telemetry_\"YYYYMMDD'), '" + before.getFirst() + "']) p"))
                    .as("partitions younger than every tenant's retention stay")
                    .doesNotContainNull()
                    .hasSize(2);
        }
    }

    @Test
    void runtimeRoleCanNeitherBypassNorOwn() throws SQLException {
        String app = TestDatabase.get().appUser;
        try (Connection c = TestDatabase.get().connectAsOwner()) {
            assertThat(strings(c, "SELECT rolsuper || ',' || rolbypassrls FROM pg_roles WHERE rolname = '" + app + "'"))
                    .containsExactly("false,false");
            assertThat(strings(
                            c,
                            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = '" + app
                                    + "'"))
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenantOwnedTables")
    void tenantContextSeesOnlyItsOwnRows(String table) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            setTenant(c, tenantA);
            List<String> visible = strings(c, "SELECT tenant_id::text FROM " + table);
            assertThat(visible).isNotEmpty().allMatch(tenantA.toString()::equals);
            c.rollback();

            assertThat(strings(c, "SELECT tenant_id::text FROM " + table))
                    .as("no tenant context, no rows")
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenantOwnedTables")
    void insertCarryingAnotherTenantsIdFails(String table) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            setTenant(c, tenantA);
            assertThatThrownBy(() -> seed(c, table, tenantB, userA))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("row-level security");
            c.rollback();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenantOwnedTables")
    void updatesCannotMoveRowsIntoOrTouchAnotherTenant(String table) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            setTenant(c, tenantA);
            assertThatThrownBy(() -> update(c, "UPDATE " + table + " SET tenant_id = '" + tenantB + "'"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            c.rollback();

            setTenant(c, tenantA);
            if (!table.equals("audit_log")) {
                assertThat(update(
                                c,
                                "UPDATE " + table + " SET tenant_id = tenant_id WHERE tenant_id = '" + tenantB + "'"))
                        .isZero();
                assertThat(update(c, "DELETE FROM " + table + " WHERE tenant_id = '" + tenantB + "'"))
                        .isZero();
            }
            c.rollback();
        }
    }

    @Test
    void auditLogIsAppendOnlyForTheRuntimeRole() throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            setTenant(c, tenantA);
            assertThatThrownBy(() -> update(c, "UPDATE audit_log SET outcome = 'forged'"))
                    .hasMessageContaining("permission denied");
            c.rollback();
            setTenant(c, tenantA);
            assertThatThrownBy(() -> update(c, "DELETE FROM audit_log")).hasMessageContaining("permission denied");
            c.rollback();
        }
    }

    private static void seed(Connection c, String table, UUID tenant, UUID user) throws SQLException {
        String sql = SEEDS.get(table).replace("?1", "'" + tenant + "'").replace("?2", "'" + user + "'");
        if (table.equals("memberships")) {
            // a membership of this user already exists in its own tenant; a new user keeps the key unique
            sql = sql.replace("'" + user + "'", "(SELECT id FROM users WHERE id <> '" + user + "' LIMIT 1)");
        }
        update(c, sql);
    }

    private static void setTenant(Connection c, UUID tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
            s.setString(1, tenant.toString());
            s.execute();
        }
    }

    private static int update(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            return s.executeUpdate();
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

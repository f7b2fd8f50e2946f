package io.insa.iiot.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Tables large enough for the planner to care: two tenants with 10,000 devices each and 400,000
 * telemetry rows each (200 devices, 2 keys, 1,000 points), latest values, statistics up to date.
 * Plans are read as the runtime role in tenant {@link #tenant}'s context, as the application runs them.
 */
public final class PlanData {

    public static final int DEVICES = 10_000;
    private static PlanData instance;

    public final UUID tenant;
    public final UUID device;
    public final int keyId;

    private PlanData(UUID tenant, UUID device, int keyId) {
        this.tenant = tenant;
        this.device = device;
        this.keyId = keyId;
    }

    public static synchronized PlanData get(Fixture fixture) throws SQLException {
        if (instance == null) {
            UUID a = fixture.tenant("Plans A", Map.of("max_devices", DEVICES));
            UUID b = fixture.tenant("Plans B", Map.of("max_devices", DEVICES));
            try (Connection c = TestDatabase.get().connectAsApp()) {
                c.setAutoCommit(false);
                run(c, "SELECT app_ensure_telemetry_partition((now() AT TIME ZONE 'UTC')::date)");
                run(c, "SELECT app_ensure_telemetry_partition((now() AT TIME ZONE 'UTC')::date - 1)");
                for (UUID t : List.of(b, a)) {
                    setTenant(c, t);
                    run(
                            c,
                            "INSERT INTO devices (id, tenant_id, name, type, created_at, updated_at) "
                                    + "SELECT gen_random_uuid(), '" + t
                                    + "', 'd-' || i, 'sensor', now() - i * interval '1 second', now() "
                                    + "FROM generate_series(1, " + DEVICES + ") i");
                    run(
                            c,
                            "INSERT INTO telemetry_keys (tenant_id, key) VALUES ('" + t + "', 'temperature'), ('" + t
                                    + "', 'pressure')");
                    run(
                            c,
                            "INSERT INTO telemetry (tenant_id, device_id, key_id, ts, double_v) "
                                    + "SELECT '" + t + "', d.id, k.id, now() - p * interval '10 seconds', random() "
                                    + "FROM (SELECT id FROM devices ORDER BY name LIMIT 200) d, telemetry_keys k, generate_series(1, 1000) p");
                    run(
                            c,
                            "INSERT INTO telemetry_latest (tenant_id, device_id, key_id, ts, double_v) " + "SELECT '"
                                    + t + "', d.id, k.id, now(), 1 FROM devices d, telemetry_keys k");
                }
                setTenant(c, a);
                UUID device = one(c, "SELECT device_id FROM telemetry LIMIT 1", UUID.class);
                int key = one(c, "SELECT id FROM telemetry_keys WHERE key = 'temperature'", Integer.class);
                c.commit();
                instance = new PlanData(a, device, key);
            }
            try (Connection owner = TestDatabase.get().connectAsOwner()) {
                run(owner, "ANALYZE devices, telemetry, telemetry_latest, telemetry_keys");
            }
        }
        return instance;
    }

    /** EXPLAIN of a statement with positional parameters, as the runtime role in the tenant. */
    public String explain(String sql, Object... params) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            setTenant(c, tenant);
            try (PreparedStatement s = c.prepareStatement("EXPLAIN " + sql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                List<String> lines = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
                c.rollback();
                return String.join("\n", lines);
            }
        }
    }

    /** A JdbcClient on one connection of the runtime role in the tenant's context, for named-parameter statements. */
    public <T> T withClient(java.util.function.Function<JdbcClient, T> work) throws SQLException {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            setTenant(c, tenant);
            DataSource single = new SingleConnectionDataSource(c, true);
            T result = work.apply(JdbcClient.create(single));
            c.rollback();
            return result;
        }
    }

    private static void setTenant(Connection c, UUID tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
            s.setString(1, tenant.toString());
            s.execute();
        }
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static <T> T one(Connection c, String sql, Class<T> type) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1, type);
        }
    }
}

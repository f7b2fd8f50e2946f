package io.insa.iiot.telemetry;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The telemetry tables' statements: the {@link TelemetryWriter}'s writes of a tenant's share of a
 * batch (points, latest values, the day's usage counter), run inside its transaction in the tenant's
 * context under row-level security, and the reads rules and analytics make.
 */
@Component
public class TelemetryStore {

    /**
     * Inserts the rows of {@link TelemetryRows.Columns#parameters} into the table named by {@code %s};
     * what a conflict does follows.
     */
    private static final String INSERT_ROWS = """
            WITH d AS MATERIALIZED (SELECT ?::uuid[] AS ids)
            INSERT INTO %s (tenant_id, device_id, key_id, ts, long_v, double_v, bool_v, str_v, json_v)
            SELECT ?, d.ids[i], k, timestamptz 'epoch' + t * interval '1 microsecond', l, f, b, s, j::jsonb
            FROM d, unnest(?::int[], ?::int[], ?::int8[], ?::int8[], ?::float8[], ?::bool[], ?::text[], ?::text[])
              AS r(i, k, t, l, f, b, s, j)
            """;

    /** A point written again (same device, key and time: a device's retry) replaces the stored one. */
    private static final String WRITE_POINTS = INSERT_ROWS.formatted("telemetry") + """
            ON CONFLICT (tenant_id, device_id, key_id, ts) DO UPDATE
              SET long_v = excluded.long_v, double_v = excluded.double_v, bool_v = excluded.bool_v,
                  str_v = excluded.str_v, json_v = excluded.json_v""";

    /** A latest value only ever moves forward in time. */
    private static final String WRITE_LATEST = INSERT_ROWS.formatted("telemetry_latest") + """
            ON CONFLICT (tenant_id, device_id, key_id) DO UPDATE
              SET ts = excluded.ts, long_v = excluded.long_v, double_v = excluded.double_v,
                  bool_v = excluded.bool_v, str_v = excluded.str_v, json_v = excluded.json_v
              WHERE telemetry_latest.ts <= excluded.ts""";

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;

    TelemetryStore(JdbcClient jdbc, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    void write(TenantId tenant, TelemetryRows rows) {
        requireContext(tenant);
        if (!rows.isEmpty()) {
            jdbc.sql(WRITE_POINTS).params(rows.all().parameters(tenant.value())).update();
            jdbc.sql(WRITE_LATEST)
                    .params(rows.latest().parameters(tenant.value()))
                    .update();
        }
    }

    /** Adds accepted points and messages to the tenant's counter of a UTC day. */
    void addUsage(TenantId tenant, LocalDate day, long points, long messages) {
        requireContext(tenant);
        jdbc.sql("""
                        INSERT INTO telemetry_usage (tenant_id, day, points, messages) VALUES (?, ?, ?, ?)
                        ON CONFLICT (tenant_id, day) DO UPDATE
                          SET points = telemetry_usage.points + excluded.points,
                              messages = telemetry_usage.messages + excluded.messages""").params(tenant.value(), day, points, messages).update();
    }

    /** The time of each device's latest point of the key, in the tenant (devices without one absent). */
    public Map<UUID, Instant> latestTimes(TenantId tenant, String key) {
        return transactions.inTenant(tenant, () -> {
            Map<UUID, Instant> times = new HashMap<>();
            jdbc.sql("""
                            SELECT l.device_id, l.ts FROM telemetry_latest l
                            JOIN telemetry_keys k ON k.tenant_id = l.tenant_id AND k.id = l.key_id
                            WHERE k.key = ?""")
                    .param(key)
                    .query((rs, n) -> times.put(
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, OffsetDateTime.class).toInstant()))
                    .list();
            return times;
        });
    }

    /** The device's latest numeric values of the key, oldest first (at most {@code limit}). */
    public List<Double> recentNumbers(TenantId tenant, UUID device, String key, int limit) {
        List<Double> values = transactions.inTenant(
                tenant,
                // raw and compacted days alike; the newest compacted hours that hold the limit already
                // bound the search (no older point can be among the answer), so old days stay packed
                () -> jdbc.sql("""
                        SELECT coalesce(t.double_v, t.long_v::float8, CASE WHEN t.bool_v THEN 1.0 WHEN NOT t.bool_v THEN 0.0 END)
                        FROM telemetry_keys k
                        CROSS JOIN LATERAL (
                          SELECT coalesce((
                            SELECT x.hour FROM (
                              SELECT c.hour, sum(CASE WHEN c.str_v IS NULL AND c.json_v IS NULL THEN c.n ELSE 0 END)
                                               OVER (ORDER BY c.hour DESC) AS numbers
                              FROM telemetry_compact c WHERE c.device_id = ? AND c.key_id = k.id) x
                            WHERE x.numbers >= ? ORDER BY x.hour DESC LIMIT 1), '-infinity') AS start) b
                        CROSS JOIN LATERAL telemetry_points(?, ARRAY[k.id], b.start, 'infinity') t
                        WHERE k.key = ?
                          AND (t.double_v IS NOT NULL OR t.long_v IS NOT NULL OR t.bool_v IS NOT NULL)
                        ORDER BY t.ts DESC LIMIT ?""")
                        .params(device, limit, device, key, limit)
                        .query(Double.class)
                        .list());
        List<Double> oldestFirst = new java.util.ArrayList<>(values);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    private static void requireContext(TenantId tenant) {
        if (!tenant.equals(TenantTransactions.currentTenant())) {
            throw new IllegalStateException("telemetry of " + tenant + " must be written in its own tenant context");
        }
    }
}

package io.insa.iiot.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** What the database holds of a device's telemetry (raw and compacted days alike), for the transport tests. */
public final class Points {

    private Points() {}

    /** Stored points of one key of a device, read as the runtime role in the device's tenant. */
    public static int count(UUID device, String key) throws Exception {
        String tenant;
        try (Connection owner = TestDatabase.get().connectAsOwner();
                PreparedStatement s = owner.prepareStatement("SELECT tenant_id::text FROM devices WHERE id = ?")) {
            s.setObject(1, device);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                tenant = rs.getString(1);
            }
        }
        return count(UUID.fromString(tenant), device, key);
    }

    /** Stored points of one key of a device, which may have been deleted meanwhile. */
    public static int count(UUID tenant, UUID device, String key) throws Exception {
        return inTenant(tenant, """
                SELECT count(*) FROM telemetry_keys k
                CROSS JOIN LATERAL telemetry_points(?, ARRAY[k.id], '-infinity', 'infinity') t
                WHERE k.key = ?""", device, key);
    }

    /** The integer values of one key of a device, in the order of their timestamps. */
    public static List<Long> longValuesInTimeOrder(UUID tenant, UUID device, String key) throws Exception {
        return inTenant(
                tenant,
                """
                SELECT t.long_v FROM telemetry_keys k
                CROSS JOIN LATERAL telemetry_points(?, ARRAY[k.id], '-infinity', 'infinity') t
                WHERE k.key = ? ORDER BY t.ts""",
                rs -> {
                    List<Long> values = new ArrayList<>();
                    while (rs.next()) {
                        values.add(rs.getLong(1));
                    }
                    return values;
                },
                device,
                key);
    }

    /** How many values the device's checkpointed anomaly model of the key had seen; -1 when there is none. */
    public static long checkpointedValues(UUID tenant, UUID device, String key) throws Exception {
        return inTenant(
                tenant,
                "SELECT seen FROM anomaly_models WHERE device_id = ? AND key = ?",
                rs -> rs.next() ? rs.getLong(1) : -1L,
                device,
                key);
    }

    /** Latest values kept for a device, whatever their key. */
    public static int latest(UUID tenant, UUID device) throws Exception {
        return inTenant(tenant, "SELECT count(*) FROM telemetry_latest WHERE device_id = ?", device);
    }

    /** The tenant's counted usage over all days: points and messages. */
    public static List<Long> usage(UUID tenant) throws Exception {
        return inTenant(
                tenant, "SELECT coalesce(sum(points), 0), coalesce(sum(messages), 0) FROM telemetry_usage", rs -> {
                    rs.next();
                    return List.of(rs.getLong(1), rs.getLong(2));
                });
    }

    private static int inTenant(UUID tenant, String countSql, Object... params) throws Exception {
        return inTenant(
                tenant,
                countSql,
                rs -> {
                    rs.next();
                    return rs.getInt(1);
                },
                params);
    }

    private interface Rows<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static <T> T inTenant(UUID tenant, String sql, Rows<T> rows, Object... params) throws Exception {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            try (PreparedStatement set = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                set.setString(1, tenant.toString());
                set.execute();
            }
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                try (ResultSet rs = s.executeQuery()) {
                    T result = rows.read(rs);
                    c.rollback();
                    return result;
                }
            }
        }
    }
}

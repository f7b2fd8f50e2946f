package io.insa.iiot.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

/** What the database holds of a device's telemetry, for the transport tests. */
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
                SELECT count(*) FROM telemetry t JOIN telemetry_keys k ON k.tenant_id = t.tenant_id AND k.id = t.key_id
                WHERE t.device_id = ? AND k.key = ?""", device, key);
    }

    /** Latest values kept for a device, whatever their key. */
    public static int latest(UUID tenant, UUID device) throws Exception {
        return inTenant(tenant, "SELECT count(*) FROM telemetry_latest WHERE device_id = ?", device);
    }

    private static int inTenant(UUID tenant, String countSql, Object... params) throws Exception {
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            try (PreparedStatement set = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                set.setString(1, tenant.toString());
                set.execute();
            }
            try (PreparedStatement s = c.prepareStatement(countSql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    int n = rs.getInt(1);
                    c.rollback();
                    return n;
                }
            }
        }
    }
}

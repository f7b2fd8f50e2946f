package io.insa.iiot.tenancy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The global tenants table. */
@Repository
class TenantRepository {

    private final JdbcClient jdbc;

    TenantRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Tenant> find(UUID id) {
        return jdbc.sql("SELECT * FROM tenants WHERE id = ?")
                .param(id)
                .query(TenantRepository::map)
                .optional();
    }

    /** Locks the row for the rest of the transaction: quota checks that must not race. */
    Optional<Tenant> findForUpdate(UUID id) {
        return jdbc.sql("SELECT * FROM tenants WHERE id = ? FOR UPDATE")
                .param(id)
                .query(TenantRepository::map)
                .optional();
    }

    List<Tenant> findAll(List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT * FROM tenants WHERE id = ANY(?)")
                .param(ids.toArray(UUID[]::new))
                .query(TenantRepository::map)
                .list();
    }

    List<Tenant> page(int limit, long offset) {
        return jdbc.sql("SELECT * FROM tenants ORDER BY created_at, id LIMIT ? OFFSET ?")
                .params(limit, offset)
                .query(TenantRepository::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM tenants").query(Long.class).single();
    }

    boolean slugTaken(String slug, UUID exceptId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM tenants WHERE slug = ? AND id <> ?)")
                .params(slug, exceptId)
                .query(Boolean.class)
                .single();
    }

    void insert(Tenant t) {
        jdbc.sql("""
                        INSERT INTO tenants (id, name, slug, status, max_devices, max_users, max_telemetry_points_per_day,
                                             max_retention_days, max_messages_per_second, require_mfa, created_at,
                                             updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        t.id(),
                        t.name(),
                        t.slug(),
                        t.status().value(),
                        t.maxDevices(),
                        t.maxUsers(),
                        t.maxTelemetryPointsPerDay(),
                        t.maxRetentionDays(),
                        t.maxMessagesPerSecond(),
                        t.requireMfa(),
                        t.createdAt(),
                        t.updatedAt())
                .update();
    }

    void update(Tenant t) {
        jdbc.sql("""
                        UPDATE tenants SET name = ?, slug = ?, status = ?, max_devices = ?, max_users = ?,
                               max_telemetry_points_per_day = ?, max_retention_days = ?, max_messages_per_second = ?,
                               require_mfa = ?, updated_at = ?
                        WHERE id = ?""")
                .params(
                        t.name(),
                        t.slug(),
                        t.status().value(),
                        t.maxDevices(),
                        t.maxUsers(),
                        t.maxTelemetryPointsPerDay(),
                        t.maxRetentionDays(),
                        t.maxMessagesPerSecond(),
                        t.requireMfa(),
                        t.updatedAt(),
                        t.id())
                .update();
    }

    private static Tenant map(ResultSet rs, int row) throws SQLException {
        return new Tenant(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("slug"),
                TenantStatus.of(rs.getString("status")),
                rs.getInt("max_devices"),
                rs.getInt("max_users"),
                rs.getLong("max_telemetry_points_per_day"),
                rs.getInt("max_retention_days"),
                rs.getInt("max_messages_per_second"),
                rs.getBoolean("require_mfa"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class));
    }
}

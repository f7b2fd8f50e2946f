package io.insa.iiot.analytics;

import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.shared.TenantId;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** A tenant's anomaly settings and its models' checkpoints, under row-level security. */
@Repository
class AnomalySettingsRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AnomalySettingsRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    Optional<AnomalySettings> find() {
        return jdbc.sql("SELECT enabled, scope::text, keys, updated_at FROM anomaly_settings")
                .query((rs, n) -> new AnomalySettings(
                        rs.getBoolean(1),
                        json.readValue(rs.getString(2), DeviceScope.class),
                        List.of((String[]) rs.getArray(3).getArray()),
                        rs.getObject(4, OffsetDateTime.class).toInstant()))
                .optional();
    }

    void save(TenantId tenant, AnomalySettings settings) {
        jdbc.sql("""
                        INSERT INTO anomaly_settings (tenant_id, enabled, scope, keys, updated_at)
                        VALUES (?, ?, ?::jsonb, ?, ?)
                        ON CONFLICT (tenant_id) DO UPDATE SET enabled = excluded.enabled, scope = excluded.scope,
                          keys = excluded.keys, updated_at = excluded.updated_at""")
                .params(
                        tenant.value(),
                        settings.enabled(),
                        json.writeValueAsString(settings.scope()),
                        settings.keys().toArray(String[]::new),
                        OffsetDateTime.ofInstant(settings.updatedAt(), ZoneOffset.UTC))
                .update();
    }

    Optional<byte[]> checkpoint(UUID device, String key) {
        return jdbc.sql("SELECT state FROM anomaly_models WHERE device_id = ? AND key = ?")
                .params(device, key)
                .query(byte[].class)
                .optional();
    }

    void saveCheckpoint(TenantId tenant, UUID device, String key, byte[] state, long seen) {
        jdbc.sql("""
                        INSERT INTO anomaly_models (tenant_id, device_id, key, state, seen, updated_at)
                        VALUES (?, ?, ?, ?, ?, now())
                        ON CONFLICT (device_id, key) DO UPDATE
                          SET state = excluded.state, seen = excluded.seen, updated_at = excluded.updated_at""").params(tenant.value(), device, key, state, seen).update();
    }

    long models() {
        return jdbc.sql("SELECT count(*) FROM anomaly_models").query(Long.class).single();
    }
}

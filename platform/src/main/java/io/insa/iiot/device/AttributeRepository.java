package io.insa.iiot.device;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Device attributes, JSON text per scope and key; tenant-owned, so every statement sees one tenant. */
@Repository
class AttributeRepository {

    private final JdbcClient jdbc;

    AttributeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The attributes of the given devices in the given scopes; {@code keys} null: every key. */
    Map<UUID, Map<AttributeScope, Map<String, String>>> read(
            List<UUID> devices, Collection<AttributeScope> scopes, Collection<String> keys) {
        Map<UUID, Map<AttributeScope, Map<String, String>>> out = new HashMap<>();
        if (devices.isEmpty() || scopes.isEmpty()) {
            return out;
        }
        jdbc.sql("""
                        SELECT device_id, scope, key, value::text AS value FROM device_attributes
                        WHERE device_id = ANY(?) AND scope = ANY(?) AND (?::text[] IS NULL OR key = ANY(?))
                        ORDER BY key""")
                .params(
                        devices.toArray(UUID[]::new),
                        scopes.stream().map(AttributeScope::key).toArray(String[]::new),
                        keys == null ? null : keys.toArray(String[]::new),
                        keys == null ? null : keys.toArray(String[]::new))
                .query(rs -> {
                    out.computeIfAbsent(rs.getObject("device_id", UUID.class), d -> new EnumMap<>(AttributeScope.class))
                            .computeIfAbsent(
                                    AttributeScope.of(rs.getString("scope")).orElseThrow(), s -> new LinkedHashMap<>())
                            .put(rs.getString("key"), rs.getString("value"));
                });
        return out;
    }

    /** Sets the keys to the values (JSON text) if the device still exists. */
    void upsert(
            UUID tenantId,
            UUID deviceId,
            AttributeScope scope,
            List<String> keys,
            List<String> jsonValues,
            OffsetDateTime at) {
        jdbc.sql("""
                        INSERT INTO device_attributes (tenant_id, device_id, scope, key, value, updated_at)
                        SELECT ?, d.id, ?, k, v::jsonb, ? FROM unnest(?::text[], ?::text[]) AS a(k, v)
                        JOIN devices d ON d.id = ?
                        ON CONFLICT (tenant_id, device_id, scope, key)
                        DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""")
                .params(
                        tenantId,
                        scope.key(),
                        at,
                        keys.toArray(String[]::new),
                        jsonValues.toArray(String[]::new),
                        deviceId)
                .update();
    }

    /** Removes the keys; returns those that existed. */
    List<String> delete(UUID deviceId, AttributeScope scope, Collection<String> keys) {
        return jdbc.sql("""
                        DELETE FROM device_attributes WHERE device_id = ? AND scope = ? AND key = ANY(?)
                        RETURNING key""")
                .params(deviceId, scope.key(), keys.toArray(String[]::new))
                .query(String.class)
                .list();
    }
}

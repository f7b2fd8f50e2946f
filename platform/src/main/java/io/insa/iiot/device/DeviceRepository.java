package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Devices and their credentials; all tenant-owned, so every statement sees one tenant. */
@Repository
class DeviceRepository {

    /** A device row, labels as JSON text. */
    record Row(
            UUID id,
            String name,
            String type,
            String labels,
            OffsetDateTime createdAt,
            OffsetDateTime lastSeenAt,
            boolean connected,
            UUID gatewayId) {}

    /** A device to insert with its token hash and optional MQTT credentials. */
    record NewDevice(
            UUID id,
            UUID tenantId,
            String name,
            String type,
            String labels,
            String tokenHash,
            String mqttClientId,
            String mqttUsername,
            String mqttPasswordHash,
            UUID gatewayId,
            OffsetDateTime createdAt) {}

    /** List filters; null means any. */
    record Filter(String type, String nameContains, String labelJson, Boolean online, OffsetDateTime onlineSince) {}

    private final JdbcClient jdbc;

    DeviceRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts all devices and their credentials with two statements, whatever their number. */
    void insertAll(List<NewDevice> devices) {
        int n = devices.size();
        UUID[] ids = new UUID[n];
        UUID[] tenants = new UUID[n];
        String[] names = new String[n];
        String[] types = new String[n];
        String[] labels = new String[n];
        String[] tokens = new String[n];
        String[] clientIds = new String[n];
        String[] usernames = new String[n];
        String[] passwords = new String[n];
        UUID[] gateways = new UUID[n];
        for (int i = 0; i < n; i++) {
            NewDevice d = devices.get(i);
            ids[i] = d.id();
            tenants[i] = d.tenantId();
            names[i] = d.name();
            types[i] = d.type();
            labels[i] = d.labels();
            tokens[i] = d.tokenHash();
            clientIds[i] = d.mqttClientId();
            usernames[i] = d.mqttUsername();
            passwords[i] = d.mqttPasswordHash();
            gateways[i] = d.gatewayId();
        }
        OffsetDateTime now = devices.getFirst().createdAt();
        jdbc.sql("""
                        INSERT INTO devices (id, tenant_id, name, type, labels, gateway_id, created_at, updated_at)
                        SELECT id, tenant_id, name, type, labels::jsonb, gateway_id, ?, ?
                        FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::uuid[])
                             AS d(id, tenant_id, name, type, labels, gateway_id)""")
                .params(now, now, ids, tenants, names, types, labels, gateways)
                .update();
        jdbc.sql("""
                        INSERT INTO device_credentials (device_id, tenant_id, token_hash, mqtt_client_id, mqtt_username,
                                                        mqtt_password_hash, rotated_at)
                        SELECT device_id, tenant_id, token_hash, client_id, username, password_hash, ?
                        FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[])
                             AS c(device_id, tenant_id, token_hash, client_id, username, password_hash)""")
                .params(now, ids, tenants, tokens, clientIds, usernames, passwords)
                .update();
    }

    /** Names among {@code names} that devices of the current tenant already carry. */
    List<String> existingNames(List<String> names) {
        return jdbc.sql("SELECT name FROM devices WHERE name = ANY(?) ORDER BY name")
                .param(names.toArray(String[]::new))
                .query(String.class)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM devices").query(Long.class).single();
    }

    long countOnline(OffsetDateTime since) {
        return jdbc.sql("SELECT count(*) FROM devices WHERE connected OR last_seen_at >= ?")
                .param(since)
                .query(Long.class)
                .single();
    }

    Optional<Row> findByName(String name) {
        return jdbc.sql("SELECT * FROM devices WHERE name = ?")
                .param(name)
                .query(DeviceRepository::map)
                .optional();
    }

    Optional<Row> find(UUID id) {
        return jdbc.sql("SELECT * FROM devices WHERE id = ?")
                .param(id)
                .query(DeviceRepository::map)
                .optional();
    }

    List<Row> page(Filter f, int limit, long offset) {
        return where(jdbc.sql(PAGE), f)
                .param("limit", limit)
                .param("offset", offset)
                .query(DeviceRepository::map)
                .list();
    }

    long count(Filter f) {
        return where(jdbc.sql("SELECT count(*) FROM devices WHERE " + CONDITIONS), f)
                .query(Long.class)
                .single();
    }

    private static final String CONDITIONS = """
            (CAST(:type AS text) IS NULL OR type = :type)
            AND (CAST(:name AS text) IS NULL OR strpos(lower(name), lower(:name)) > 0)
            AND (CAST(:labels AS jsonb) IS NULL OR labels @> CAST(:labels AS jsonb))
            AND (CAST(:online AS boolean) IS NULL
                 OR (connected OR coalesce(last_seen_at >= :since, false)) = :online)""";

    /** The device list page, visible to the test that checks its plan uses the index. */
    static final String PAGE =
            "SELECT * FROM devices WHERE " + CONDITIONS + " ORDER BY created_at, id LIMIT :limit OFFSET :offset";

    static JdbcClient.StatementSpec where(JdbcClient.StatementSpec sql, Filter f) {
        return sql.param("type", f.type(), java.sql.Types.VARCHAR)
                .param("name", f.nameContains(), java.sql.Types.VARCHAR)
                .param("labels", f.labelJson(), java.sql.Types.VARCHAR)
                .param("online", f.online(), java.sql.Types.BOOLEAN)
                .param("since", f.onlineSince(), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
    }

    boolean update(UUID id, String name, String type, String labels, OffsetDateTime now) {
        return jdbc.sql("""
                                UPDATE devices SET name = coalesce(?, name), type = coalesce(?, type),
                                       labels = coalesce(?::jsonb, labels), updated_at = ?
                                WHERE id = ?""").params(name, type, labels, now, id).update() == 1;
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM devices WHERE id = ?").param(id).update() == 1;
    }

    /**
     * Lock space of the deletion barrier: the ingest writer holds it shared for a tenant while it
     * writes, a deletion holds it exclusively (transaction-scoped advisory locks, keyed by tenant).
     */
    private static final int DELETION_BARRIER = 0x1d5e_0d71;

    /** Waits for the tenant's batches in flight to commit; later ones wait for this transaction. */
    void lockAgainstWrites(UUID tenant) {
        jdbc.sql("SELECT pg_advisory_xact_lock(?, ?)")
                .params(DELETION_BARRIER, tenant.hashCode())
                .query(rs -> {});
    }

    /**
     * Each id looked up through the primary key. As {@code id = ANY(?)} the planner may read all of the
     * tenant's devices and filter them instead, for every batch, while its statistics do not know the
     * tenant's devices yet (a tenant that has just provisioned thousands of them).
     */
    static final String EXISTING = """
            SELECT d.id FROM unnest(?::uuid[]) AS u(id),
              LATERAL (SELECT id FROM devices WHERE id = u.id LIMIT 1) AS d""";

    /**
     * The devices among {@code ids} that exist, once no deletion in the tenant is in progress; a
     * deletion that starts later waits for this transaction.
     */
    List<UUID> existingForWrite(UUID tenant, UUID[] ids) {
        jdbc.sql("SELECT pg_advisory_xact_lock_shared(?, ?)")
                .params(DELETION_BARRIER, tenant.hashCode())
                .query(rs -> {});
        return jdbc.sql(EXISTING).param(ids).query(UUID.class).list();
    }

    boolean assignGateway(UUID id, UUID gatewayId, OffsetDateTime now) {
        return jdbc.sql("UPDATE devices SET gateway_id = ?, updated_at = ? WHERE id = ?")
                        .params(gatewayId, now, id)
                        .update()
                == 1;
    }

    Optional<String> tokenHash(UUID id) {
        return jdbc.sql("SELECT token_hash FROM device_credentials WHERE device_id = ?")
                .param(id)
                .query(String.class)
                .optional();
    }

    void rotateToken(UUID id, String newHash, OffsetDateTime now) {
        jdbc.sql("UPDATE device_credentials SET token_hash = ?, rotated_at = ? WHERE device_id = ?")
                .params(newHash, now, id)
                .update();
    }

    void setMqttCredentials(UUID id, String clientId, String username, String passwordHash, OffsetDateTime now) {
        jdbc.sql("""
                        UPDATE device_credentials SET mqtt_client_id = ?, mqtt_username = ?, mqtt_password_hash = ?, rotated_at = ?
                        WHERE device_id = ?""").params(clientId, username, passwordHash, now, id).update();
    }

    /** Moves last_seen_at forward for many devices at once. */
    void recordSeen(UUID[] ids, long[] atMicros) {
        jdbc.sql("""
                        UPDATE devices d SET last_seen_at = s.at
                        FROM (SELECT id, timestamptz 'epoch' + micros * interval '1 microsecond' AS at
                              FROM unnest(?::uuid[], ?::int8[]) AS u(id, micros)) AS s
                        WHERE d.id = s.id AND (d.last_seen_at IS NULL OR d.last_seen_at < s.at)""").params(ids, atMicros).update();
    }

    /** A device's MQTT basic credentials. */
    record MqttCredentials(DeviceIdentity device, String clientId, String passwordHash) {}

    /** The device an MQTT username belongs to, in any tenant: the named path {@code app_device_by_mqtt_username}. */
    Optional<MqttCredentials> findByMqttUsername(String username) {
        return jdbc.sql("SELECT * FROM app_device_by_mqtt_username(?)")
                .param(username)
                .query((rs, n) -> new MqttCredentials(
                        new DeviceIdentity(
                                rs.getObject("device_id", UUID.class),
                                io.insa.iiot.shared.TenantId.of(rs.getObject("tenant_id", UUID.class)),
                                rs.getString("name"),
                                rs.getString("type")),
                        rs.getString("mqtt_client_id"),
                        rs.getString("mqtt_password_hash")))
                .optional();
    }

    void setConnected(UUID id, boolean connected, OffsetDateTime at) {
        jdbc.sql("UPDATE devices SET connected = ?, last_seen_at = greatest(last_seen_at, ?) WHERE id = ?")
                .params(connected, at, id)
                .update();
    }

    /** The device a token belongs to, in any tenant: the named path {@code app_device_by_token}. */
    Optional<DeviceIdentity> findByTokenHash(String hash) {
        return jdbc.sql("SELECT * FROM app_device_by_token(?)")
                .param(hash)
                .query((rs, n) -> new DeviceIdentity(
                        rs.getObject("device_id", UUID.class),
                        io.insa.iiot.shared.TenantId.of(rs.getObject("tenant_id", UUID.class)),
                        rs.getString("name"),
                        rs.getString("type")))
                .optional();
    }

    List<DeviceIdentity> identities(TenantId tenant) {
        return jdbc.sql("SELECT id, name, type FROM devices ORDER BY id")
                .query((rs, n) ->
                        new DeviceIdentity(rs.getObject(1, UUID.class), tenant, rs.getString(2), rs.getString(3)))
                .list();
    }

    private static Row map(ResultSet rs, int row) throws SQLException {
        return new Row(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("type"),
                rs.getString("labels"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("last_seen_at", OffsetDateTime.class),
                rs.getBoolean("connected"),
                rs.getObject("gateway_id", UUID.class));
    }
}

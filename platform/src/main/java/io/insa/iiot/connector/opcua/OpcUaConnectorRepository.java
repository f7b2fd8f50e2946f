package io.insa.iiot.connector.opcua;

import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.SealedSecrets;
import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The connectors table, under row-level security; passwords are sealed on the way in, opened on the way out. Public
 * for the sessions, which read the stored connectors ({@link #all}) and keep their session snapshot in them; every
 * other write stays in this package.
 */
@Repository
public class OpcUaConnectorRepository {

    private static final TypeReference<List<OpcUaConnector.Mapping>> MAPPINGS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final SealedSecrets secrets;

    OpcUaConnectorRepository(JdbcClient jdbc, JsonMapper json, SealedSecrets secrets) {
        this.jdbc = jdbc;
        this.json = json;
        this.secrets = secrets;
    }

    void insert(OpcUaConnector c) {
        jdbc.sql("""
                        INSERT INTO opcua_connectors (id, tenant_id, name, endpoint_url, security_policy, security_mode,
                          auth_type, username, password_sealed, enabled, publishing_interval_ms, mappings,
                          trusted_thumbprint, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)""")
                .params(c.id(), c.tenant().value())
                .params(settings(c))
                .params(
                        OffsetDateTime.ofInstant(c.createdAt(), ZoneOffset.UTC),
                        OffsetDateTime.ofInstant(c.updatedAt(), ZoneOffset.UTC))
                .update();
    }

    void update(OpcUaConnector c) {
        jdbc.sql("""
                        UPDATE opcua_connectors SET name = ?, endpoint_url = ?, security_policy = ?, security_mode = ?,
                          auth_type = ?, username = ?, password_sealed = ?, enabled = ?, publishing_interval_ms = ?,
                          mappings = ?::jsonb, trusted_thumbprint = ?, updated_at = ?
                        WHERE id = ?""")
                .params(settings(c))
                .params(OffsetDateTime.ofInstant(c.updatedAt(), ZoneOffset.UTC), c.id())
                .update();
    }

    /**
     * The columns insert and update both write, in the order of both statements: name through
     * trusted_thumbprint, the password sealed.
     */
    private List<Object> settings(OpcUaConnector c) {
        return java.util.Arrays.asList(
                c.name(),
                c.endpointUrl(),
                c.securityPolicy(),
                c.securityMode(),
                c.auth().type(),
                c.auth().username(),
                c.auth().password() == null ? null : secrets.seal(c.auth().password()),
                c.enabled(),
                c.publishingIntervalMs(),
                json.writerFor(MAPPINGS).writeValueAsString(c.mappings()),
                c.trustedThumbprint());
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM opcua_connectors WHERE id = ?").param(id).update() == 1;
    }

    /** The connector, in the transaction's tenant. */
    public Optional<OpcUaConnector> find(UUID id) {
        return jdbc.sql("SELECT * FROM opcua_connectors WHERE id = ?")
                .param(id)
                .query(this::map)
                .optional();
    }

    Optional<OpcUaConnector> lock(UUID id) {
        return jdbc.sql("SELECT * FROM opcua_connectors WHERE id = ? FOR UPDATE")
                .param(id)
                .query(this::map)
                .optional();
    }

    List<OpcUaConnector> page(PageRequest page) {
        return jdbc.sql("SELECT * FROM opcua_connectors ORDER BY created_at, id LIMIT ? OFFSET ?")
                .params(page.size(), page.offset())
                .query(this::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM opcua_connectors")
                .query(Long.class)
                .single();
    }

    /**
     * What the node that runs the connector's session says of it, for the other nodes' API (JSON of the
     * sessions' choosing), in the transaction's tenant.
     */
    public void saveSessionSnapshot(UUID id, String snapshot) {
        jdbc.sql("UPDATE opcua_connectors SET session_snapshot = ?::jsonb, session_snapshot_at = now() WHERE id = ?")
                .params(snapshot, id)
                .update();
    }

    /** The connector's session snapshot, if one was written within {@code maxAge} (on the database's clock). */
    public Optional<String> sessionSnapshot(UUID id, Duration maxAge) {
        return jdbc.sql("""
                        SELECT session_snapshot::text FROM opcua_connectors
                        WHERE id = ? AND session_snapshot_at > now() - ? * interval '1 millisecond'""").params(id, maxAge.toMillis()).query(String.class).optional();
    }

    /** Every tenant's connectors, by id with their tenant: the named cross-tenant path (outside any tenant). */
    public Map<UUID, TenantId> everyTenantsConnectors() {
        Map<UUID, TenantId> ids = new LinkedHashMap<>();
        jdbc.sql("SELECT id, tenant_id FROM app_opcua_connector_ids()").query(rs -> {
            ids.put(rs.getObject(1, UUID.class), TenantId.of(rs.getObject(2, UUID.class)));
        });
        return ids;
    }

    /** The tenant's connectors, in the transaction's tenant. */
    public List<OpcUaConnector> all() {
        return jdbc.sql("SELECT * FROM opcua_connectors ORDER BY created_at, id")
                .query(this::map)
                .list();
    }

    private OpcUaConnector map(ResultSet rs, int row) throws SQLException {
        String sealed = rs.getString("password_sealed");
        return new OpcUaConnector(
                rs.getObject("id", UUID.class),
                TenantId.of(rs.getObject("tenant_id", UUID.class)),
                rs.getString("name"),
                rs.getString("endpoint_url"),
                rs.getString("security_policy"),
                rs.getString("security_mode"),
                new OpcUaConnector.Auth(
                        rs.getString("auth_type"),
                        rs.getString("username"),
                        sealed == null ? null : secrets.open(sealed)),
                rs.getBoolean("enabled"),
                rs.getObject("publishing_interval_ms", Integer.class),
                json.readValue(rs.getString("mappings"), MAPPINGS),
                rs.getString("trusted_thumbprint"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    }
}

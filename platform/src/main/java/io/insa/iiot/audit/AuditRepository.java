package io.insa.iiot.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the audit log: a tenant's own rows under row-level security, or the whole log through the
 * system administrator's named path ({@code app_audit_search}). Both share the filter function.
 */
@Repository
class AuditRepository {

    private static final String FILTER_ARGS =
            "CAST(:from AS timestamptz), CAST(:to AS timestamptz), CAST(:tenant AS uuid), "
                    + "CAST(:action AS text), CAST(:actor AS text), CAST(:targetType AS text), CAST(:targetId AS text)";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Rows visible in the current tenant context. */
    List<AuditEntry> findInTenant(AuditFilter filter, int limit, long offset) {
        return bind(
                        jdbc.sql("SELECT * FROM audit_log a WHERE app_audit_matches(a, " + FILTER_ARGS + ")"
                                + " ORDER BY a.at DESC, a.id DESC LIMIT :limit OFFSET :offset"),
                        filter)
                .param("limit", limit)
                .param("offset", offset)
                .query(this::map)
                .list();
    }

    long countInTenant(AuditFilter filter) {
        return bind(
                        jdbc.sql("SELECT count(*) FROM audit_log a WHERE app_audit_matches(a, " + FILTER_ARGS + ")"),
                        filter)
                .query(Long.class)
                .single();
    }

    /** Every tenant's rows and the system rows: system administrators only. */
    List<AuditEntry> findAll(AuditFilter filter, int limit, long offset) {
        return bind(
                        jdbc.sql("SELECT * FROM app_audit_search(" + FILTER_ARGS
                                + ", CAST(:limit AS integer), CAST(:offset AS integer))"),
                        filter)
                .param("limit", limit)
                .param("offset", offset)
                .query(this::map)
                .list();
    }

    long countAll(AuditFilter filter) {
        return bind(jdbc.sql("SELECT app_audit_count(" + FILTER_ARGS + ")"), filter)
                .query(Long.class)
                .single();
    }

    long purgeBefore(OffsetDateTime cutoff) {
        return jdbc.sql("SELECT app_audit_purge(?)")
                .param(cutoff)
                .query(Long.class)
                .single();
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec sql, AuditFilter f) {
        return sql.param("from", f.from(), java.sql.Types.TIMESTAMP_WITH_TIMEZONE)
                .param("to", f.to(), java.sql.Types.TIMESTAMP_WITH_TIMEZONE)
                .param("tenant", f.tenantId(), java.sql.Types.OTHER)
                .param("action", f.action(), java.sql.Types.VARCHAR)
                .param("actor", f.actor(), java.sql.Types.VARCHAR)
                .param("targetType", f.targetType(), java.sql.Types.VARCHAR)
                .param("targetId", f.targetId(), java.sql.Types.VARCHAR);
    }

    private AuditEntry map(ResultSet rs, int row) throws SQLException {
        return new AuditEntry(
                rs.getObject("id", UUID.class),
                rs.getObject("at", OffsetDateTime.class),
                rs.getObject("tenant_id", UUID.class),
                rs.getString("actor_type"),
                rs.getString("actor_id"),
                rs.getString("actor_label"),
                rs.getString("action"),
                rs.getString("target_type"),
                rs.getString("target_id"),
                rs.getString("client_ip"),
                rs.getString("user_agent"),
                rs.getString("outcome"),
                json.readValue(rs.getString("details"), new TypeReference<Map<String, Object>>() {}));
    }
}

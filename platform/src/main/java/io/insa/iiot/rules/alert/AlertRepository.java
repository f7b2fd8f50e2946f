package io.insa.iiot.rules.alert;

import io.insa.iiot.rules.Rule;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Alerts and their history; every statement runs in the tenant's context, under row-level security. */
@Repository
public class AlertRepository {

    /** One line of an alert's history. */
    record HistoryEntry(Instant at, String type, String actor, JsonNode details) {}

    /** The list filters of the API; null fields do not filter. */
    record Filter(String status, String severity, UUID deviceId, UUID ruleId, Instant from, Instant to) {}

    private static final String FILTERS = """
            (CAST(:status AS text) IS NULL OR status = :status)
            AND (CAST(:severity AS text) IS NULL OR severity = :severity)
            AND (CAST(:device AS uuid) IS NULL OR device_id = :device)
            AND (CAST(:rule AS uuid) IS NULL OR rule_id = :rule)
            AND (CAST(:from AS timestamptz) IS NULL OR started_at >= :from)
            AND (CAST(:to AS timestamptz) IS NULL OR started_at < :to)""";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AlertRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Opens an alert unless one is open for the rule and device: the unique index decides, on any node. */
    Optional<UUID> open(TenantId tenant, Rule rule, UUID deviceId, String deviceName, Double value, Instant at) {
        return jdbc.sql("""
                        INSERT INTO alerts (id, tenant_id, rule_id, rule_name, device_id, device_name, key, severity,
                                            status, value, started_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
                        ON CONFLICT (rule_id, device_id) WHERE status <> 'cleared' DO NOTHING
                        RETURNING id""")
                .params(
                        Ids.newId(),
                        tenant.value(),
                        rule.id(),
                        rule.definition().name(),
                        deviceId,
                        deviceName,
                        rule.definition().key(),
                        rule.definition().severity().value(),
                        value,
                        utc(at))
                .query(UUID.class)
                .optional();
    }

    /** Clears the open alert of the rule and device, if any; its id. */
    Optional<UUID> clearOpen(UUID ruleId, UUID deviceId, Instant at, String by) {
        return jdbc.sql("""
                        UPDATE alerts SET status = 'cleared', cleared_at = ?, cleared_by = ?
                        WHERE rule_id = ? AND device_id = ? AND status <> 'cleared' RETURNING id""")
                .params(utc(at), by, ruleId, deviceId)
                .query(UUID.class)
                .optional();
    }

    List<UUID> clearAllOpen(UUID ruleId, Instant at, String by) {
        return jdbc.sql("""
                        UPDATE alerts SET status = 'cleared', cleared_at = ?, cleared_by = ?
                        WHERE rule_id = ? AND status <> 'cleared' RETURNING id""").params(utc(at), by, ruleId).query(UUID.class).list();
    }

    List<UUID> clearAllOpenOfDevice(UUID deviceId, Instant at, String by) {
        return jdbc.sql("""
                        UPDATE alerts SET status = 'cleared', cleared_at = ?, cleared_by = ?
                        WHERE device_id = ? AND status <> 'cleared' RETURNING id""").params(utc(at), by, deviceId).query(UUID.class).list();
    }

    /** Moves an alert on from one of the given statuses; false when it is in none of them. */
    boolean acknowledge(UUID id, Instant at, String by) {
        return jdbc.sql("""
                        UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?
                        WHERE id = ? AND status = 'active'""").params(utc(at), by, id).update() == 1;
    }

    boolean clear(UUID id, Instant at, String by) {
        return jdbc.sql("""
                        UPDATE alerts SET status = 'cleared', cleared_at = ?, cleared_by = ?
                        WHERE id = ? AND status <> 'cleared'""").params(utc(at), by, id).update() == 1;
    }

    Set<UUID> openRulesOf(UUID deviceId) {
        return new HashSet<>(jdbc.sql("SELECT rule_id FROM alerts WHERE device_id = ? AND status <> 'cleared'")
                .param(deviceId)
                .query(UUID.class)
                .list());
    }

    boolean isOpen(UUID ruleId, UUID deviceId) {
        return jdbc.sql("SELECT count(*) FROM alerts WHERE rule_id = ? AND device_id = ? AND status <> 'cleared'")
                        .params(ruleId, deviceId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    public void history(TenantId tenant, UUID alertId, Instant at, String type, String actor, Map<String, ?> details) {
        jdbc.sql("""
                        INSERT INTO alert_events (id, tenant_id, alert_id, at, type, actor, details)
                        VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)""")
                .params(Ids.newId(), tenant.value(), alertId, utc(at), type, actor, json.writeValueAsString(details))
                .update();
    }

    List<HistoryEntry> historyOf(UUID alertId) {
        return jdbc.sql("SELECT at, type, actor, details::text FROM alert_events WHERE alert_id = ? ORDER BY at, id")
                .param(alertId)
                .query((rs, n) -> new HistoryEntry(
                        rs.getObject(1, OffsetDateTime.class).toInstant(),
                        rs.getString(2),
                        rs.getString(3),
                        json.readTree(rs.getString(4))))
                .list();
    }

    public Optional<Alert> find(UUID id) {
        return jdbc.sql("SELECT * FROM alerts WHERE id = ?")
                .param(id)
                .query(AlertRepository::map)
                .optional();
    }

    List<Alert> page(Filter filter, PageRequest page) {
        return where(
                        jdbc.sql("SELECT * FROM alerts WHERE " + FILTERS
                                + " ORDER BY started_at DESC, id LIMIT :limit OFFSET :offset"),
                        filter)
                .param("limit", page.size())
                .param("offset", page.offset())
                .query(AlertRepository::map)
                .list();
    }

    long count(Filter filter) {
        return where(jdbc.sql("SELECT count(*) FROM alerts WHERE " + FILTERS), filter)
                .query(Long.class)
                .single();
    }

    long active() {
        return jdbc.sql("SELECT count(*) FROM alerts WHERE status = 'active'")
                .query(Long.class)
                .single();
    }

    private static JdbcClient.StatementSpec where(JdbcClient.StatementSpec sql, Filter f) {
        return sql.param("status", f.status())
                .param("severity", f.severity())
                .param("device", f.deviceId())
                .param("rule", f.ruleId())
                .param("from", f.from() == null ? null : utc(f.from()))
                .param("to", f.to() == null ? null : utc(f.to()));
    }

    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static Alert map(ResultSet rs, int row) throws SQLException {
        return new Alert(
                rs.getObject("id", UUID.class),
                rs.getObject("rule_id", UUID.class),
                rs.getString("rule_name"),
                rs.getObject("device_id", UUID.class),
                rs.getString("device_name"),
                rs.getString("key"),
                rs.getString("severity"),
                rs.getString("status"),
                rs.getObject("value", Double.class),
                instant(rs, "started_at"),
                instant(rs, "acknowledged_at"),
                rs.getString("acknowledged_by"),
                instant(rs, "cleared_at"),
                rs.getString("cleared_by"));
    }
}

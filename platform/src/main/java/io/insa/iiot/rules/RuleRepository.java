package io.insa.iiot.rules;

import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.rules.notification.WebhookSecrets;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** The rules table; every statement runs in the tenant's context, under row-level security. */
@Repository
public class RuleRepository {

    private static final Logger log = LoggerFactory.getLogger(RuleRepository.class);

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final WebhookSecrets secrets;
    /** Rules whose row could not be read, reported once each. */
    private final Set<UUID> unreadable = ConcurrentHashMap.newKeySet();

    RuleRepository(JdbcClient jdbc, JsonMapper json, WebhookSecrets secrets) {
        this.jdbc = jdbc;
        this.json = json;
        this.secrets = secrets;
    }

    void insert(Rule rule) {
        jdbc.sql("""
                        INSERT INTO rules (id, tenant_id, name, enabled, severity, scope, key, condition,
                                           clear_condition, actions, created_at, updated_at)
                        VALUES (:id, :tenant, :name, :enabled, :severity, :scope::jsonb, :key, :condition::jsonb,
                                :clear::jsonb, :actions::jsonb, :created, :updated)""")
                .params(columns(rule))
                .param("tenant", rule.tenant().value())
                .param("created", OffsetDateTime.ofInstant(rule.createdAt(), ZoneOffset.UTC))
                .update();
    }

    boolean update(Rule rule) {
        return jdbc.sql("""
                        UPDATE rules SET name = :name, enabled = :enabled, severity = :severity, scope = :scope::jsonb,
                                         key = :key, condition = :condition::jsonb, clear_condition = :clear::jsonb,
                                         actions = :actions::jsonb, updated_at = :updated
                        WHERE id = :id""").params(columns(rule)).update() == 1;
    }

    /** The columns a change writes: the rule's shape, as JSON where it is structured, and its update time. */
    private Map<String, Object> columns(Rule rule) {
        RuleDefinition d = rule.definition();
        Map<String, Object> columns = new HashMap<>();
        columns.put("id", rule.id());
        columns.put("name", d.name());
        columns.put("enabled", d.enabled());
        columns.put("severity", d.severity().value());
        columns.put("scope", json.writeValueAsString(d.scope()));
        columns.put("key", d.key());
        columns.put("condition", json.writeValueAsString(d.condition()));
        columns.put("clear", d.clearCondition() == null ? null : json.writeValueAsString(d.clearCondition()));
        columns.put("actions", secrets.stored(d.actions()));
        columns.put("updated", OffsetDateTime.ofInstant(rule.updatedAt(), ZoneOffset.UTC));
        return columns;
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM rules WHERE id = ?").param(id).update() == 1;
    }

    public Optional<Rule> find(UUID id) {
        return jdbc.sql("SELECT * FROM rules WHERE id = ?")
                .param(id)
                .query(this::map)
                .optional();
    }

    /** The rule row locked for a change, so that two changes of one rule do not interleave. */
    Optional<Rule> lock(UUID id) {
        return jdbc.sql("SELECT * FROM rules WHERE id = ? FOR UPDATE")
                .param(id)
                .query(this::map)
                .optional();
    }

    List<Rule> page(PageRequest page) {
        return jdbc.sql("SELECT * FROM rules ORDER BY created_at, id LIMIT ? OFFSET ?")
                .params(page.size(), page.offset())
                .query(this::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM rules").query(Long.class).single();
    }

    /** The rules to evaluate; a row that cannot be read is left out (and logged once), not the tenant's rules. */
    public List<Rule> enabled() {
        return jdbc
                .sql("SELECT * FROM rules WHERE enabled ORDER BY created_at, id")
                .query((rs, row) -> {
                    try {
                        return map(rs, row);
                    } catch (RuntimeException e) {
                        UUID id = rs.getObject("id", UUID.class);
                        if (unreadable.add(id)) {
                            log.error("rule {} cannot be read and is not evaluated: {}", id, e.toString());
                        }
                        return null;
                    }
                })
                .list()
                .stream()
                .filter(Objects::nonNull)
                .toList();
    }

    /** Serializes rule counts per tenant: two creations cannot both pass the limit. */
    void lockTenantRules(TenantId tenant) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('rules:' || ?::text, 0))")
                .param(tenant.value())
                .query((rs, n) -> null)
                .list();
    }

    private Rule map(ResultSet rs, int row) throws SQLException {
        String clear = rs.getString("clear_condition");
        return new Rule(
                rs.getObject("id", UUID.class),
                TenantId.of(rs.getObject("tenant_id", UUID.class)),
                new RuleDefinition(
                        rs.getString("name"),
                        rs.getBoolean("enabled"),
                        Severity.of(rs.getString("severity")),
                        json.readValue(rs.getString("scope"), DeviceScope.class),
                        rs.getString("key"),
                        json.readValue(rs.getString("condition"), Condition.class),
                        clear == null ? null : json.readValue(clear, Condition.class),
                        secrets.actions(rs.getString("actions"))),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    }
}

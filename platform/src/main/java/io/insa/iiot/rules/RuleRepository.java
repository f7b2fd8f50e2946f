package io.insa.iiot.rules;

import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The rules table; every statement runs in the tenant's context, under row-level security. */
@Repository
class RuleRepository {

    private static final TypeReference<List<RuleAction>> ACTIONS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final WebhookSecrets secrets;

    RuleRepository(JdbcClient jdbc, JsonMapper json, WebhookSecrets secrets) {
        this.jdbc = jdbc;
        this.json = json;
        this.secrets = secrets;
    }

    void insert(Rule rule) {
        jdbc.sql("""
                        INSERT INTO rules (id, tenant_id, name, enabled, severity, scope, key, condition,
                                           clear_condition, actions, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?)""")
                .params(
                        rule.id(),
                        rule.tenant().value(),
                        rule.name(),
                        rule.enabled(),
                        rule.severity().value(),
                        json.writeValueAsString(rule.scope()),
                        rule.key(),
                        json.writeValueAsString(rule.condition()),
                        rule.clearCondition() == null ? null : json.writeValueAsString(rule.clearCondition()),
                        actions(rule),
                        OffsetDateTime.ofInstant(rule.createdAt(), ZoneOffset.UTC),
                        OffsetDateTime.ofInstant(rule.updatedAt(), ZoneOffset.UTC))
                .update();
    }

    boolean update(Rule rule) {
        return jdbc.sql("""
                        UPDATE rules SET name = ?, enabled = ?, severity = ?, scope = ?::jsonb, key = ?,
                                         condition = ?::jsonb, clear_condition = ?::jsonb, actions = ?::jsonb,
                                         updated_at = ?
                        WHERE id = ?""")
                        .params(
                                rule.name(),
                                rule.enabled(),
                                rule.severity().value(),
                                json.writeValueAsString(rule.scope()),
                                rule.key(),
                                json.writeValueAsString(rule.condition()),
                                rule.clearCondition() == null ? null : json.writeValueAsString(rule.clearCondition()),
                                actions(rule),
                                OffsetDateTime.ofInstant(rule.updatedAt(), ZoneOffset.UTC),
                                rule.id())
                        .update()
                == 1;
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM rules WHERE id = ?").param(id).update() == 1;
    }

    Optional<Rule> find(UUID id) {
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

    List<Rule> enabled() {
        return jdbc.sql("SELECT * FROM rules WHERE enabled ORDER BY created_at, id")
                .query(this::map)
                .list();
    }

    /** Serializes rule counts per tenant: two creations cannot both pass the limit. */
    void lockTenantRules(TenantId tenant) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('rules:' || ?::text, 0))")
                .param(tenant.value())
                .query((rs, n) -> null)
                .list();
    }

    private String actions(Rule rule) {
        return json.writerFor(ACTIONS).writeValueAsString(secrets.seal(rule.actions()));
    }

    private Rule map(ResultSet rs, int row) throws SQLException {
        String clear = rs.getString("clear_condition");
        return new Rule(
                rs.getObject("id", UUID.class),
                TenantId.of(rs.getObject("tenant_id", UUID.class)),
                rs.getString("name"),
                rs.getBoolean("enabled"),
                Severity.of(rs.getString("severity")),
                json.readValue(rs.getString("scope"), DeviceScope.class),
                rs.getString("key"),
                json.readValue(rs.getString("condition"), Condition.class),
                clear == null ? null : json.readValue(clear, Condition.class),
                secrets.open(json.readValue(rs.getString("actions"), ACTIONS)),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    }
}

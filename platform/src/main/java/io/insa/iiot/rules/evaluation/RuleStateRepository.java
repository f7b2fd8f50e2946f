package io.insa.iiot.rules.evaluation;

import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The evaluator's memory per rule and device, kept across restarts (written on transitions). */
@Repository
public class RuleStateRepository {

    private final JdbcClient jdbc;

    RuleStateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The device's states by rule id. */
    Map<UUID, RuleState> ofDevice(UUID deviceId) {
        Map<UUID, RuleState> states = new HashMap<>();
        jdbc.sql("""
                        SELECT rule_id, version, firing, condition_since, clear_since, last_ts, last_value
                        FROM rule_states WHERE device_id = ?""")
                .param(deviceId)
                .query((rs, n) -> states.put(rs.getObject("rule_id", UUID.class), map(rs)))
                .list();
        return states;
    }

    void save(TenantId tenant, UUID ruleId, UUID deviceId, RuleState state) {
        jdbc.sql("""
                        INSERT INTO rule_states (tenant_id, rule_id, device_id, version, firing, condition_since,
                                                 clear_since, last_ts, last_value)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (rule_id, device_id) DO UPDATE
                          SET version = excluded.version, firing = excluded.firing,
                              condition_since = excluded.condition_since, clear_since = excluded.clear_since,
                              last_ts = excluded.last_ts, last_value = excluded.last_value""")
                .params(
                        tenant.value(),
                        ruleId,
                        deviceId,
                        utc(state.version()),
                        state.firing(),
                        utc(state.conditionSince()),
                        utc(state.clearSince()),
                        utc(state.lastTs()),
                        state.lastValue())
                .update();
    }

    public void forgetDevice(UUID deviceId) {
        jdbc.sql("DELETE FROM rule_states WHERE device_id = ?").param(deviceId).update();
    }

    private static RuleState map(ResultSet rs) throws SQLException {
        return new RuleState(
                instant(rs, "version"),
                rs.getBoolean("firing"),
                instant(rs, "condition_since"),
                instant(rs, "clear_since"),
                instant(rs, "last_ts"),
                rs.getObject("last_value", Double.class));
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}

package io.insa.iiot.rules.notification;

import io.insa.iiot.rules.Rule;
import io.insa.iiot.rules.RuleAction;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The notifications of rule actions: a row per action and alert event, written in the transaction
 * that raised or cleared the alert (an outbox), so that no committed alert goes unnotified and no
 * notification names an alert that was rolled back.
 */
@Repository
class NotificationRepository {

    /** A notification as the sender needs it, a webhook's secret still sealed. */
    record Due(UUID id, TenantId tenant, UUID alertId, String event, RuleAction action, int attempts) {}

    /** A claimed notification: which, and in which tenant to deliver it. */
    record Claimed(UUID id, TenantId tenant) {}

    private final JdbcClient jdbc;
    private final WebhookSecrets secrets;

    NotificationRepository(JdbcClient jdbc, WebhookSecrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    void add(TenantId tenant, UUID alertId, Rule rule, String event) {
        for (RuleAction action : rule.definition().actions()) {
            jdbc.sql("""
                            INSERT INTO notifications (id, tenant_id, alert_id, rule_id, event, action, status,
                                                       next_attempt_at, created_at)
                            VALUES (?, ?, ?, ?, ?, ?::jsonb, 'pending', now(), now())""")
                    .params(Ids.newId(), tenant.value(), alertId, rule.id(), event, secrets.stored(action))
                    .update();
        }
    }

    /** Due notifications of every tenant, each leased for {@code lease} (the named cross-tenant path). */
    List<Claimed> claim(int limit, Duration lease) {
        return jdbc.sql("SELECT id, tenant_id FROM app_claim_notifications(?, ?::interval)")
                .params(limit, lease.toMillis() + " milliseconds")
                .query((rs, n) -> new Claimed(rs.getObject(1, UUID.class), TenantId.of(rs.getObject(2, UUID.class))))
                .list();
    }

    Optional<Due> due(UUID id) {
        return jdbc.sql("""
                        SELECT id, tenant_id, alert_id, event, action::text, attempts FROM notifications
                        WHERE id = ? AND status = 'pending'""")
                .param(id)
                .query((rs, n) -> new Due(
                        rs.getObject(1, UUID.class),
                        TenantId.of(rs.getObject(2, UUID.class)),
                        rs.getObject(3, UUID.class),
                        rs.getString(4),
                        secrets.action(rs.getString(5)),
                        rs.getInt(6)))
                .optional();
    }

    void delivered(UUID id) {
        jdbc.sql("""
                        UPDATE notifications SET status = 'delivered', attempts = attempts + 1, delivered_at = now(),
                                                 last_error = NULL
                        WHERE id = ?""").param(id).update();
    }

    /** A failed try: tried again after {@code retryAfter}, or dead when null. */
    void failed(UUID id, String error, Duration retryAfter) {
        jdbc.sql("""
                        UPDATE notifications SET attempts = attempts + 1, last_error = ?,
                               status = CASE WHEN CAST(? AS bigint) IS NULL THEN 'dead' ELSE 'pending' END,
                               next_attempt_at = now() + coalesce(CAST(? AS bigint), 0) * interval '1 millisecond'
                        WHERE id = ?""")
                .params(
                        error,
                        retryAfter == null ? null : retryAfter.toMillis(),
                        retryAfter == null ? null : retryAfter.toMillis(),
                        id)
                .update();
    }

    List<Notification> page(String status, UUID alertId, PageRequest page) {
        return jdbc.sql("""
                        SELECT * FROM notifications
                        WHERE (CAST(:status AS text) IS NULL OR status = :status)
                          AND (CAST(:alert AS uuid) IS NULL OR alert_id = :alert)
                        ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset""")
                .param("status", status)
                .param("alert", alertId)
                .param("limit", page.size())
                .param("offset", page.offset())
                .query(this::map)
                .list();
    }

    long count(String status, UUID alertId) {
        return jdbc.sql("""
                        SELECT count(*) FROM notifications
                        WHERE (CAST(:status AS text) IS NULL OR status = :status)
                          AND (CAST(:alert AS uuid) IS NULL OR alert_id = :alert)""")
                .param("status", status)
                .param("alert", alertId)
                .query(Long.class)
                .single();
    }

    private Notification map(ResultSet rs, int row) throws SQLException {
        RuleAction action = secrets.action(rs.getString("action"));
        return new Notification(
                rs.getObject("id", UUID.class),
                rs.getObject("alert_id", UUID.class),
                rs.getObject("rule_id", UUID.class),
                rs.getString("event"),
                typeOf(action),
                targetOf(action),
                rs.getString("status"),
                rs.getInt("attempts"),
                instant(rs, "next_attempt_at"),
                rs.getString("last_error"),
                instant(rs, "created_at"),
                instant(rs, "delivered_at"));
    }

    static String typeOf(RuleAction action) {
        return switch (action) {
            case RuleAction.Webhook w -> "webhook";
            case RuleAction.SealedWebhook w -> "webhook";
            case RuleAction.Email e -> "email";
            case RuleAction.Command c -> "command";
            case RuleAction.RpcReply r -> "rpc_reply";
        };
    }

    static String targetOf(RuleAction action) {
        return switch (action) {
            case RuleAction.Webhook w -> w.url();
            case RuleAction.SealedWebhook w -> w.url();
            case RuleAction.Email e -> String.join(", ", e.to());
            case RuleAction.Command c -> "device " + c.deviceId() + " " + c.method();
            case RuleAction.RpcReply r -> "the device that asked";
        };
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}

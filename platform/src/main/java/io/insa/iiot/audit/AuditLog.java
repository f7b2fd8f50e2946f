package io.insa.iiot.audit;

import io.insa.iiot.shared.ClientInfo;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends to the audit trail. Inside a transaction of the event's tenant the entry commits or rolls
 * back with the change it describes; otherwise it is written in a transaction of its own, so that
 * refusals are kept even when the refused work is rolled back.
 */
@Service
public class AuditLog {

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final JsonMapper json;
    private final Clock clock;

    AuditLog(JdbcClient jdbc, TenantTransactions transactions, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
    }

    public void record(AuditEvent event) {
        record(event, ClientInfo.current());
    }

    /** Records an event on behalf of a client other than the current request's (summaries written later). */
    public void record(AuditEvent event, ClientInfo client) {
        transactions.inContext(
                event.tenant(),
                () -> jdbc.sql("""
                        INSERT INTO audit_log (id, at, tenant_id, actor_type, actor_id, actor_label, action,
                                               target_type, target_id, client_ip, user_agent, outcome, details)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)""")
                        .params(
                                Ids.newId(),
                                Times.now(clock),
                                event.tenant() == null ? null : event.tenant().value(),
                                event.actor().type(),
                                event.actor().id(),
                                event.actor().label(),
                                event.action(),
                                event.targetType(),
                                event.targetId(),
                                client.ip(),
                                client.userAgent(),
                                event.outcome(),
                                json.writeValueAsString(event.details()))
                        .update());
    }
}

package io.insa.iiot.rules.alert;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceDeleted;
import io.insa.iiot.rules.Rule;
import io.insa.iiot.rules.RuleRepository;
import io.insa.iiot.rules.evaluation.RuleStateRepository;
import io.insa.iiot.rules.notification.Notifications;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import io.insa.iiot.tenancy.TenantUsage;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;

/**
 * The alert lifecycle (SPEC 6): {@code active -> acknowledged -> cleared} or {@code active -> cleared};
 * a cleared alert is history. Every change writes its history line, and a raise or clear its
 * notifications, in the transaction of the change.
 */
@Service
public class Alerts implements TenantUsage.Alerts {

    /** An alert with its history, as {@code GET /api/v1/alerts/{id}} shows it. */
    record Detail(@JsonUnwrapped Alert alert, List<AlertRepository.HistoryEntry> history) {}

    public static final String SYSTEM = "system";

    private final AlertRepository alerts;
    private final Notifications notifications;
    private final RuleRepository rules;
    private final RuleStateRepository states;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Clock clock;

    Alerts(
            AlertRepository alerts,
            Notifications notifications,
            RuleRepository rules,
            RuleStateRepository states,
            TenantTransactions transactions,
            AuditLog audit,
            Clock clock) {
        this.alerts = alerts;
        this.notifications = notifications;
        this.rules = rules;
        this.states = states;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ from the evaluator (in its transaction)

    /** Opens the rule's alert for the device unless one is open; the new alert's id. */
    public Optional<UUID> raise(Rule rule, UUID deviceId, String deviceName, Double value, Instant at, String reason) {
        TenantId tenant = rule.tenant();
        Optional<UUID> opened = alerts.open(tenant, rule, deviceId, deviceName, value, at);
        opened.ifPresent(id -> {
            Map<String, Object> details = new HashMap<>();
            details.put("value", value);
            details.put("reason", reason);
            details.put("data_ts", at.toString());
            alerts.history(tenant, id, Times.now(clock).toInstant(), "raised", SYSTEM, details);
            notifications.add(tenant, id, rule, "raised");
        });
        return opened;
    }

    /** Clears the rule's open alert for the device, if any, as the data says. */
    public Optional<UUID> clearByData(Rule rule, UUID deviceId, Instant at, String reason) {
        Optional<UUID> cleared = alerts.clearOpen(rule.id(), deviceId, at, SYSTEM);
        cleared.ifPresent(id -> {
            alerts.history(
                    rule.tenant(),
                    id,
                    Times.now(clock).toInstant(),
                    "cleared",
                    SYSTEM,
                    Map.of("automatic", true, "reason", reason, "data_ts", at.toString()));
            notifications.add(rule.tenant(), id, rule, "cleared");
        });
        return cleared;
    }

    /** Clears every open alert of a rule being deleted; how many. */
    public int clearAllOf(Rule rule, String by) {
        Instant now = Times.now(clock).toInstant();
        List<UUID> cleared = alerts.clearAllOpen(rule.id(), now, by);
        cleared.forEach(
                id -> alerts.history(rule.tenant(), id, now, "cleared", by, Map.of("reason", "the rule was deleted")));
        return cleared.size();
    }

    /** A deleted device's open alerts are cleared (its alerts stay as history) and its rule states go. */
    @ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED) // the tenant's own transaction inside
    void deviceDeleted(DeviceDeleted event) {
        transactions.inTenant(event.tenantId(), () -> {
            Instant now = Times.now(clock).toInstant();
            for (UUID id : alerts.clearAllOpenOfDevice(event.deviceId(), now, SYSTEM)) {
                alerts.history(
                        event.tenantId(), id, now, "cleared", SYSTEM, Map.of("reason", "the device was deleted"));
            }
            states.forgetDevice(event.deviceId());
        });
    }

    public boolean isOpen(UUID ruleId, UUID deviceId) {
        return alerts.isOpen(ruleId, deviceId);
    }

    public Set<UUID> openRulesOf(UUID deviceId) {
        return alerts.openRulesOf(deviceId);
    }

    // ------------------------------------------------------------------ from the API

    Page<Alert> list(TenantId tenant, AlertRepository.Filter filter, PageRequest page) {
        return transactions.inTenant(tenant, () -> page.page(alerts.page(filter, page), alerts.count(filter)));
    }

    Detail get(TenantId tenant, UUID id) {
        return transactions.inTenant(tenant, () -> {
            Alert alert = alerts.find(id).orElseThrow(() -> ProblemException.notFound("alert " + id));
            return new Detail(alert, alerts.historyOf(id));
        });
    }

    Alert acknowledge(Caller caller, TenantId tenant, UUID id) {
        return transactions.inTenant(tenant, () -> {
            Alert alert = alerts.find(id).orElseThrow(() -> ProblemException.notFound("alert " + id));
            Instant now = Times.now(clock).toInstant();
            if (!alerts.acknowledge(id, now, caller.label())) {
                throw ProblemException.conflict(
                        "the alert is " + alert.status() + "; only an active alert can be acknowledged");
            }
            alerts.history(tenant, id, now, "acknowledged", caller.label(), Map.of());
            audit.record(AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "alert.acknowledge", "alert", id)
                    .withDetail("rule_id", alert.ruleId().toString())
                    .withDetail("device_id", alert.deviceId().toString()));
            return alerts.find(id).orElseThrow();
        });
    }

    /** Clears by hand; the rule's actions fire as for a clear by data. */
    Alert clear(Caller caller, TenantId tenant, UUID id) {
        return transactions.inTenant(tenant, () -> {
            Alert alert = alerts.find(id).orElseThrow(() -> ProblemException.notFound("alert " + id));
            Instant now = Times.now(clock).toInstant();
            if (!alerts.clear(id, now, caller.label())) {
                throw ProblemException.conflict("the alert is already cleared");
            }
            alerts.history(tenant, id, now, "cleared", caller.label(), Map.of("automatic", false));
            rules.find(alert.ruleId()).ifPresent(rule -> notifications.add(tenant, id, rule, "cleared"));
            audit.record(AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "alert.clear", "alert", id)
                    .withDetail("rule_id", alert.ruleId().toString())
                    .withDetail("device_id", alert.deviceId().toString()));
            return alerts.find(id).orElseThrow();
        });
    }

    /** Tenant stats: alerts active (raised and not yet acknowledged or cleared). */
    @Override
    public long active(TenantId tenant) {
        return transactions.inTenant(tenant, alerts::active);
    }
}

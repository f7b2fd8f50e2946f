package io.insa.iiot.rules;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.device.Devices;
import io.insa.iiot.rules.alert.Alerts;
import io.insa.iiot.rules.evaluation.RuleCache;
import io.insa.iiot.rules.notification.WebhookAddresses;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tenant's alert rules (SPEC 6): written by its admins, audited in the transaction of the change, and
 * in force for the next committed point.
 */
@Service
class Rules {

    private final RuleRepository rules;
    private final Alerts alerts;
    private final RuleCache cache;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Devices devices;
    private final WebhookAddresses webhookAddresses;
    private final JsonMapper json;
    private final Clock clock;
    private final int maxPerTenant;

    Rules(
            RuleRepository rules,
            Alerts alerts,
            RuleCache cache,
            TenantTransactions transactions,
            AuditLog audit,
            Devices devices,
            WebhookAddresses webhookAddresses,
            JsonMapper json,
            Clock clock,
            RulesProperties properties) {
        this.rules = rules;
        this.alerts = alerts;
        this.cache = cache;
        this.transactions = transactions;
        this.audit = audit;
        this.devices = devices;
        this.webhookAddresses = webhookAddresses;
        this.json = json;
        this.clock = clock;
        this.maxPerTenant = properties.maxPerTenant();
    }

    Rule create(Caller caller, TenantId tenant, JsonNode body) {
        RuleDefinition definition = RuleDefinition.parse(body);
        check(tenant, definition);
        Instant now = Times.now(clock).toInstant();
        Rule rule = new Rule(Ids.newId(), tenant, definition, now, now);
        return transactions.inTenant(tenant, () -> {
            rules.lockTenantRules(tenant);
            long count = rules.count();
            if (count >= maxPerTenant) {
                throw ProblemException.quotaExceeded("the tenant has " + count
                        + " rules, the most allowed (insa.rules.max-per-tenant is " + maxPerTenant + ")");
            }
            rules.insert(rule);
            audit.record(AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "rule.create", "rule", rule.id())
                    .withDetail("name", definition.name()));
            cache.evictAtCommit(tenant);
            return rule;
        });
    }

    /**
     * Changes the fields the patch names; the result is checked as a whole, as a new rule would be. A
     * webhook's secret shown as hidden keeps the secret stored for the same URL.
     */
    Rule update(Caller caller, TenantId tenant, UUID id, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object");
        }
        return transactions.inTenant(tenant, () -> {
            Rule current = rules.lock(id).orElseThrow(() -> ProblemException.notFound("rule " + id));
            ObjectNode merged = (ObjectNode) json.valueToTree(sentBack(current));
            patch.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
            RuleDefinition definition = keepSecrets(RuleDefinition.parse(merged), current);
            check(tenant, definition);
            Rule updated = new Rule(
                    id,
                    tenant,
                    definition,
                    current.createdAt(),
                    Times.now(clock).toInstant());
            rules.update(updated);
            audit.record(AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "rule.update", "rule", id)
                    .withDetail("name", definition.name())
                    .withDetail("fields", List.copyOf(patch.propertyNames())));
            cache.evictAtCommit(tenant);
            return updated;
        });
    }

    /** Deletes the rule; its open alerts are cleared by the caller, in the same transaction. */
    void delete(Caller caller, TenantId tenant, UUID id) {
        transactions.inTenant(tenant, () -> {
            Rule rule = rules.lock(id).orElseThrow(() -> ProblemException.notFound("rule " + id));
            int cleared = alerts.clearAllOf(rule, caller.label());
            rules.delete(id);
            audit.record(AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "rule.delete", "rule", id)
                    .withDetail("name", rule.definition().name())
                    .withDetail("alerts_cleared", cleared));
            cache.evictAtCommit(tenant);
        });
    }

    Rule get(TenantId tenant, UUID id) {
        return transactions
                .inTenant(tenant, () -> rules.find(id))
                .orElseThrow(() -> ProblemException.notFound("rule " + id));
    }

    Page<Rule> list(TenantId tenant, PageRequest page) {
        return transactions.inTenant(tenant, () -> page.page(rules.page(page), rules.count()));
    }

    /** What only the database or the network can tell: the devices named exist, webhooks may be reached. */
    private void check(TenantId tenant, RuleDefinition definition) {
        if (definition.scope() instanceof DeviceScope.Devices scoped) {
            List<UUID> ids = scoped.deviceIds();
            for (int i = 0; i < ids.size(); i++) {
                if (!devices.exists(tenant, ids.get(i))) {
                    throw ProblemException.badRequest("scope.device_ids[" + i + "]", "no such device in the tenant");
                }
            }
        }
        List<RuleAction> actions = definition.actions();
        for (int i = 0; i < actions.size(); i++) {
            switch (actions.get(i)) {
                case RuleAction.Webhook webhook -> checkUrl(webhook.url(), i);
                case RuleAction.SealedWebhook webhook -> checkUrl(webhook.url(), i); // kept as stored
                case RuleAction.Command command -> {
                    if (!devices.exists(tenant, command.deviceId())) {
                        throw ProblemException.badRequest(
                                "actions[" + i + "].device_id", "no such device in the tenant");
                    }
                }
                case RuleAction.Email email -> {}
                case RuleAction.RpcReply reply -> {}
            }
        }
    }

    private void checkUrl(String url, int i) {
        try {
            webhookAddresses.checkUrl(url);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("actions[" + i + "].url", e.getMessage());
        }
    }

    /** A webhook whose secret is given as hidden keeps the stored one of its URL, sealed as it is. */
    private RuleDefinition keepSecrets(RuleDefinition definition, Rule current) {
        List<RuleAction> actions = new ArrayList<>();
        for (int i = 0; i < definition.actions().size(); i++) {
            RuleAction action = definition.actions().get(i);
            String field = "actions[" + i + "].secret";
            if (action instanceof RuleAction.Webhook w && RuleAction.HIDDEN_SECRET.equals(w.secret())) {
                action = current.definition().actions().stream()
                        .filter(a -> switch (a) {
                            case RuleAction.Webhook old -> old.url().equals(w.url());
                            case RuleAction.SealedWebhook old -> old.url().equals(w.url());
                            default -> false;
                        })
                        .findFirst()
                        .orElseThrow(() -> ProblemException.badRequest(field, "give the secret of a new webhook URL"));
            }
            actions.add(action);
        }
        return definition.withActions(actions);
    }

    /** The rule as a client would send it back: stored secrets hidden (and kept by {@link #keepSecrets}). */
    private static RuleDefinition sentBack(Rule rule) {
        return rule.definition()
                .withActions(rule.definition().actions().stream()
                        .map(a -> a instanceof RuleAction.SealedWebhook ? a.shown() : a)
                        .toList());
    }
}

package io.insa.iiot.rules;

import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's alert rule (SPEC 6): which devices, which key, when it fires and clears, what it does.
 *
 * @param clearCondition null: the negation of {@code condition} clears
 */
public record Rule(
        UUID id,
        TenantId tenant,
        String name,
        boolean enabled,
        Severity severity,
        RuleScope scope,
        String key,
        Condition condition,
        Condition clearCondition,
        List<RuleAction> actions,
        Instant createdAt,
        Instant updatedAt) {}

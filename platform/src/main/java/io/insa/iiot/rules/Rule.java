package io.insa.iiot.rules;

import io.insa.iiot.analytics.AnomalyScores;
import io.insa.iiot.device.DeviceScope;
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
        DeviceScope scope,
        String key,
        Condition condition,
        Condition clearCondition,
        List<RuleAction> actions,
        Instant createdAt,
        Instant updatedAt) {

    /** The series whose points the rule judges: the key's, or for an anomaly rule its score series. */
    String judgedKey() {
        return condition instanceof Condition.Anomaly ? AnomalyScores.seriesOf(key) : key;
    }
}

package io.insa.iiot.rules;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.insa.iiot.analytics.AnomalyScores;
import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.UUID;

/**
 * A tenant's alert rule (SPEC 6): its shape as the API writes it, under its id and times. As the API
 * shows it ({@link #shown()}), the shape's fields stand beside the id and the times, and webhook
 * secrets are hidden.
 */
public record Rule(
        UUID id,
        @JsonIgnore TenantId tenant,
        @JsonUnwrapped RuleDefinition definition,
        Instant createdAt,
        Instant updatedAt) {

    /** The series whose points the rule judges: the key's, or for an anomaly rule its score series. */
    public String judgedKey() {
        return definition.condition() instanceof Condition.Anomaly
                ? AnomalyScores.seriesOf(definition.key())
                : definition.key();
    }

    /** The rule as the API shows it: secrets hidden. */
    public Rule shown() {
        return new Rule(id, tenant, definition.shown(), createdAt, updatedAt);
    }
}

package io.insa.iiot.rules.notification;

import java.time.Instant;
import java.util.UUID;

/**
 * One action of a rule for one alert event, as the API shows it: delivered, still being tried, or dead
 * (every try failed; kept for an operator to see).
 *
 * @param target the webhook URL, the e-mail recipients or the command's device, never a secret
 */
public record Notification(
        UUID id,
        UUID alertId,
        UUID ruleId,
        String event,
        String type,
        String target,
        String status,
        int attempts,
        Instant nextAttemptAt,
        String lastError,
        Instant createdAt,
        Instant deliveredAt) {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";
}

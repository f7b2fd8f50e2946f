package io.insa.iiot.rules.alert;

import java.time.Instant;
import java.util.UUID;

/** An alert as the API shows it: one episode of a rule firing for a device (SPEC 6). */
public record Alert(
        UUID id,
        UUID ruleId,
        String ruleName,
        UUID deviceId,
        String deviceName,
        String key,
        String severity,
        String status,
        Double value,
        Instant startedAt,
        Instant acknowledgedAt,
        String acknowledgedBy,
        Instant clearedAt,
        String clearedBy) {

    public static final String ACTIVE = "active";
    public static final String ACKNOWLEDGED = "acknowledged";
    public static final String CLEARED = "cleared";
}

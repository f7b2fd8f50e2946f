package io.insa.iiot.audit;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** An audit row as the API shows it. */
public record AuditEntry(
        UUID id,
        OffsetDateTime at,
        UUID tenantId,
        String actorType,
        String actorId,
        String actorLabel,
        String action,
        String targetType,
        String targetId,
        String clientIp,
        String userAgent,
        String outcome,
        Map<String, Object> details) {}

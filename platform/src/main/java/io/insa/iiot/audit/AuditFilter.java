package io.insa.iiot.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

/** The filters of an audit query; null means "any". */
record AuditFilter(
        OffsetDateTime from,
        OffsetDateTime to,
        UUID tenantId,
        String action,
        String actor,
        String targetType,
        String targetId) {}

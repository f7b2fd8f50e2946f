package io.insa.iiot.audit;

import java.time.OffsetDateTime;
import java.util.UUID;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.format.annotation.DateTimeFormat.ISO;
import org.springframework.web.bind.annotation.BindParam;

/** The filters of an audit query, bound from the query string; null means "any". */
record AuditFilter(
        @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime from,
        @DateTimeFormat(iso = ISO.DATE_TIME) OffsetDateTime to,
        @BindParam("tenant_id") UUID tenantId,
        String action,
        String actor,
        @BindParam("target_type") String targetType,
        @BindParam("target_id") String targetId) {}

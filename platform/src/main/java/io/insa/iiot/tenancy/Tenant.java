package io.insa.iiot.tenancy;

import io.insa.iiot.shared.TenantId;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A company or plant using the platform, with its quotas (SPEC 3.1). */
public record Tenant(
        UUID id,
        String name,
        String slug,
        TenantStatus status,
        int maxDevices,
        int maxUsers,
        long maxTelemetryPointsPerDay,
        int maxRetentionDays,
        int maxMessagesPerSecond,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    public TenantId tenantId() {
        return TenantId.of(id);
    }

    public boolean isActive() {
        return status == TenantStatus.ACTIVE;
    }
}

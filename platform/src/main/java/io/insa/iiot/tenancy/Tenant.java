package io.insa.iiot.tenancy;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
        boolean requireMfa,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    @JsonIgnore
    public TenantId tenantId() {
        return TenantId.of(id);
    }

    @JsonIgnore
    public boolean isActive() {
        return status == TenantStatus.ACTIVE;
    }
}

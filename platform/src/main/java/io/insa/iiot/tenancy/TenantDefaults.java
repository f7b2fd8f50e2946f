package io.insa.iiot.tenancy;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Quotas a new tenant gets unless its creator sets them ({@code insa.tenant.defaults.*}). */
@ConfigurationProperties("insa.tenant.defaults")
record TenantDefaults(
        int maxDevices, int maxUsers, long maxTelemetryPointsPerDay, int maxRetentionDays, int maxMessagesPerSecond) {}

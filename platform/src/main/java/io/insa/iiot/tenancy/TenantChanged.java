package io.insa.iiot.tenancy;

import io.insa.iiot.shared.TenantId;

/** Published after a tenant's settings (status, quotas) changed, so that caches can drop it. */
public record TenantChanged(TenantId tenantId) {}

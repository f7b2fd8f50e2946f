package io.insa.iiot.tenancy;

import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A user's place in a tenant. */
public record Membership(TenantId tenantId, UUID userId, Role role, OffsetDateTime joinedAt) {}

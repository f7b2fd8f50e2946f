package io.insa.iiot.audit;

import io.insa.iiot.shared.TenantId;
import java.util.UUID;

/**
 * Who may read a tenant's audit trail, decided from the memberships in the database at the time of the
 * request (not from a role claim in a token, which can be up to a token lifetime stale). Implemented
 * where memberships live.
 */
public interface AuditAccess {

    boolean isTenantAdmin(UUID userId, TenantId tenant);
}

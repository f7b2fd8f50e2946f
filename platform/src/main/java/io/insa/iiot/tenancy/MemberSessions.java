package io.insa.iiot.tenancy;

import io.insa.iiot.shared.TenantId;
import java.util.UUID;

/**
 * Ends a member's login sessions in a tenant when their place in it changes (removed, another role).
 * The session store answers it; tenancy declares what it needs so that it need not depend on identity.
 */
public interface MemberSessions {

    /** Ends the user's sessions acting in the tenant, except {@code keep} (none when null). */
    void endInTenant(UUID userId, TenantId tenant, UUID keep, String reason);
}

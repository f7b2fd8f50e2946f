package io.insa.iiot.tenancy;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The authorization rules of the tenant API (SPEC 3.3). "Own" means any tenant the user is a member of,
 * not only the one active in the token; a non-member gets 403 whether or not the tenant exists. A
 * system administrator needs no membership. An API key acts only in its own tenant, by scope.
 */
@Component
public class TenantAccess {

    private final Tenants tenants;
    private final Memberships memberships;

    TenantAccess(Tenants tenants, Memberships memberships) {
        this.tenants = tenants;
        this.memberships = memberships;
    }

    public void requireSystemAdmin(Caller caller) {
        if (!caller.systemAdmin() || caller.isApiKey()) {
            throw ProblemException.forbidden("this operation is reserved to system administrators");
        }
    }

    /** Read access: any member, an API key with the read scope, or a system administrator. */
    public Tenant requireMember(Caller caller, UUID tenantId) {
        return require(caller, tenantId, false);
    }

    /** Administration: the tenant's admins or a system administrator. */
    public Tenant requireAdmin(Caller caller, UUID tenantId) {
        return require(caller, tenantId, true);
    }

    private Tenant require(Caller caller, UUID tenantId, boolean admin) {
        TenantId tenant = TenantId.of(tenantId);
        if (caller.isApiKey()) {
            if (!tenant.equals(caller.activeTenant())) {
                throw notMember();
            }
            if (admin) {
                throw ProblemException.forbidden("API keys cannot administer a tenant");
            }
            if (!caller.scopes().contains("read")) {
                throw ProblemException.forbidden("this API key lacks the 'read' scope");
            }
            return tenants.require(tenant);
        }
        if (caller.systemAdmin()) {
            return tenants.require(tenant);
        }
        Role role = memberships.roleOf(caller.userId(), tenant).orElseThrow(TenantAccess::notMember);
        if (admin && role != Role.ADMIN) {
            throw ProblemException.forbidden("this operation needs the admin role in the tenant");
        }
        return tenants.require(tenant);
    }

    private static ProblemException notMember() {
        return ProblemException.forbidden("not a member of this tenant");
    }
}

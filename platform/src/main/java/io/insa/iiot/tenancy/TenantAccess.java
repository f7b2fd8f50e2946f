package io.insa.iiot.tenancy;

import io.insa.iiot.audit.AuditAccess;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The authorization rules of the tenant API (SPEC 3.3). "Own" means any tenant the user is a member of,
 * not only the one active in the token; a non-member gets 403 whether or not the tenant exists. A
 * system administrator needs no membership. An API key acts only in its own tenant, by scope. A tenant
 * that requires MFA serves no user without it, member or system administrator: this is the one place
 * every tenant-scoped endpoint passes, whatever its token says.
 */
@Component
public class TenantAccess implements AuditAccess {

    private final Tenants tenants;
    private final Memberships memberships;
    private final MfaEnrolments mfa;

    TenantAccess(Tenants tenants, Memberships memberships, MfaEnrolments mfa) {
        this.tenants = tenants;
        this.memberships = memberships;
        this.mfa = mfa;
    }

    /** What a caller needs to be allowed. */
    public enum Need {
        /** any member, an API key with the 'read' scope */
        READ("read"),
        /** operators and admins, an API key with the 'write' scope */
        WRITE("write"),
        /** the tenant's admins */
        ADMIN(null);

        private final String scope;

        Need(String scope) {
            this.scope = scope;
        }
    }

    @Override
    public boolean isTenantAdmin(UUID userId, TenantId tenant) {
        return memberships.roleOf(userId, tenant).filter(Role::isAdmin).isPresent()
                && mfaSatisfied(userId, tenants.require(tenant));
    }

    /** Whether the user may act in the tenant as far as MFA goes: the tenant does not require it, or they have it. */
    public boolean mfaSatisfied(UUID userId, Tenant tenant) {
        return !tenant.requireMfa() || mfa.hasMfa(userId);
    }

    /** The refusal of a user without MFA by a tenant that requires it (403, {@code mfa_enrollment_required}). */
    public static ProblemException mfaEnrollmentRequired() {
        ProblemException e = ProblemException.forbidden("this tenant requires multi-factor authentication:"
                + " set it up first (POST /api/v1/auth/mfa/enroll)");
        e.getBody().setProperty("mfa_enrollment_required", true);
        return e;
    }

    public void requireSystemAdmin(Caller caller) {
        if (!caller.systemAdmin() || caller.isApiKey()) {
            throw ProblemException.forbidden("this operation is reserved to system administrators");
        }
    }

    public Tenant requireMember(Caller caller, UUID tenantId) {
        return require(caller, tenantId, Need.READ);
    }

    public Tenant requireAdmin(Caller caller, UUID tenantId) {
        return require(caller, tenantId, Need.ADMIN);
    }

    /** The caller's active tenant, for endpoints that act in it (devices, telemetry, API keys). */
    public Tenant requireActive(Caller caller, Need need) {
        if (caller.activeTenant() == null) {
            throw ProblemException.forbidden("no active tenant: switch to a tenant first");
        }
        return require(caller, caller.activeTenant().value(), need);
    }

    private Tenant require(Caller caller, UUID tenantId, Need need) {
        TenantId tenant = TenantId.of(tenantId);
        if (caller.isApiKey()) {
            if (!tenant.equals(caller.activeTenant())) {
                throw notMember();
            }
            if (need == Need.ADMIN) {
                throw ProblemException.forbidden("API keys cannot administer a tenant");
            }
            if (!caller.scopes().contains(need.scope)) {
                throw ProblemException.forbidden("this API key lacks the '" + need.scope + "' scope");
            }
            return tenants.require(tenant);
        }
        if (caller.systemAdmin()) {
            return withMfa(caller, tenants.require(tenant));
        }
        Role role = memberships.roleOf(caller.userId(), tenant).orElseThrow(TenantAccess::notMember);
        Tenant found = withMfa(caller, tenants.require(tenant));
        if (need == Need.ADMIN && role != Role.ADMIN) {
            throw ProblemException.forbidden("this operation needs the admin role in the tenant");
        }
        if (need == Need.WRITE && role == Role.VIEWER) {
            throw ProblemException.forbidden("this operation needs the operator or admin role in the tenant");
        }
        return found;
    }

    private Tenant withMfa(Caller caller, Tenant tenant) {
        if (!mfaSatisfied(caller.userId(), tenant)) {
            throw mfaEnrollmentRequired();
        }
        return tenant;
    }

    private static ProblemException notMember() {
        return ProblemException.forbidden("not a member of this tenant");
    }
}

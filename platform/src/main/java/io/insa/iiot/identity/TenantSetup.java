package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.UserStatus;
import io.insa.iiot.tenancy.Memberships;
import io.insa.iiot.tenancy.Tenants;
import org.springframework.stereotype.Service;

/**
 * Tenants the platform sets up by itself, without a signed-in system administrator: the demo plant.
 * The tenant and its first administrator commit together or not at all.
 */
@Service
public class TenantSetup {

    /** The new tenant's administrator; the password is generated and known only to the caller. */
    public record Administrator(TenantId tenant, String email, String password) {}

    private final Tenants tenants;
    private final UserAccounts users;
    private final Memberships memberships;
    private final Passwords passwords;
    private final AuditLog audit;

    TenantSetup(Tenants tenants, UserAccounts users, Memberships memberships, Passwords passwords, AuditLog audit) {
        this.tenants = tenants;
        this.users = users;
        this.memberships = memberships;
        this.passwords = passwords;
        this.audit = audit;
    }

    /**
     * Creates the tenant with an active administrator of a generated password; a conflict (slug or
     * e-mail taken) is a {@link io.insa.iiot.shared.ProblemException} and creates nothing.
     */
    public Administrator createWithAdministrator(String tenantName, String slug, String email, String name) {
        String password = Secrets.newToken().substring(0, 20);
        String hash = passwords.hash(password);
        var tenant = tenants.createBySystem(tenantName, slug, id -> {
            UserAccount admin = users.create(email, name, hash, false, UserStatus.ACTIVE);
            memberships.add(id, admin.id(), Role.ADMIN);
            audit.record(AuditEvent.success(id, AuditEvent.Actor.system(), "user.create", "user", admin.id())
                    .withDetail("email", admin.email())
                    .withDetail("role", Role.ADMIN.value()));
        });
        return new Administrator(tenant.tenantId(), UserAccounts.normalizeEmail(email), password);
    }
}

package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.Invitations;
import io.insa.iiot.tenancy.Membership;
import io.insa.iiot.tenancy.Memberships;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * The people of a tenant: listing, inviting, removing and changing roles. Who may do it is decided
 * before these methods are called ({@code TenantAccess}); the rules of the tenant itself (seats, the
 * last admin, self-removal) are kept here and in {@link Memberships}.
 */
@Service
class TenantMembers {

    /** A member as the tenant API shows it. */
    record TenantUser(
            UUID id,
            String email,
            String name,
            Role role,
            boolean isTenantAdmin,
            UserStatus status,
            OffsetDateTime joinedAt) {

        static TenantUser of(UserAccount user, Membership m) {
            return new TenantUser(
                    user.id(), user.email(), user.name(), m.role(), m.role().isAdmin(), user.status(), m.joinedAt());
        }
    }

    record InvitationView(String token, String inviteUrl, OffsetDateTime expiresAt) {}

    record InviteResult(TenantUser user, InvitationView invitation) {}

    private final UserAccounts users;
    private final Memberships memberships;
    private final Invitations invitations;
    private final Tenants tenants;
    private final AuthSessions sessions;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final String publicUrl;

    TenantMembers(
            UserAccounts users,
            Memberships memberships,
            Invitations invitations,
            Tenants tenants,
            AuthSessions sessions,
            TenantTransactions transactions,
            AuditLog audit,
            @Value("${insa.auth.public-url}") String publicUrl) {
        this.users = users;
        this.memberships = memberships;
        this.invitations = invitations;
        this.tenants = tenants;
        this.sessions = sessions;
        this.transactions = transactions;
        this.audit = audit;
        this.publicUrl = publicUrl;
    }

    Page<TenantUser> list(Tenant tenant, PageRequest page) {
        Page<Membership> members = memberships.members(tenant.tenantId(), page);
        Map<UUID, UserAccount> byId = users
                .findAll(members.items().stream().map(Membership::userId).toList())
                .stream()
                .collect(Collectors.toMap(UserAccount::id, Function.identity()));
        return members.map(m -> TenantUser.of(byId.get(m.userId()), m));
    }

    /**
     * Adds a known user directly; creates an invited user with an invitation token otherwise. Either
     * takes a seat of {@code max_users}.
     */
    InviteResult invite(Caller caller, Tenant tenant, String rawEmail, Role role) {
        TenantId tenantId = tenant.tenantId();
        String email = UserAccounts.normalizeEmail(rawEmail);
        InviteResult result = transactions.inTenant(tenantId, () -> {
            Tenant locked = tenants.lockForQuotaCheck(tenantId);
            long seats = memberships.seatsUsed(tenantId);
            if (seats >= locked.maxUsers()) {
                throw ProblemException.quotaExceeded("user quota reached: max_users is " + locked.maxUsers() + " and "
                        + seats + " seats (members and pending invitations) are taken");
            }
            UserAccount user = users.findByEmail(email).orElseGet(() -> users.createInvited(email));
            if (!memberships.add(tenantId, user.id(), role)) {
                throw ProblemException.conflict(email + " is already a member of this tenant");
            }
            Membership membership = memberships.find(tenantId, user.id()).orElseThrow();
            InvitationView invitation = null;
            if (user.status() == UserStatus.INVITED) {
                Invitations.Issued issued = invitations.issue(tenantId, email, role, caller.userId());
                invitation = new InvitationView(
                        issued.token(), publicUrl + "/accept-invite?token=" + issued.token(), issued.expiresAt());
            }
            return new InviteResult(TenantUser.of(user, membership), invitation);
        });
        audit.record(AuditEvent.success(
                        tenantId,
                        Actor.of(caller),
                        "tenant.invite",
                        "user",
                        result.user().id())
                .withDetail("email", email)
                .withDetail("role", role.value())
                .withDetail("new_account", result.invitation() != null));
        return result;
    }

    void remove(Caller caller, Tenant tenant, UUID userId) {
        if (userId.equals(caller.userId())) {
            throw ProblemException.forbidden("nobody can remove themselves from a tenant");
        }
        TenantId tenantId = tenant.tenantId();
        Membership removed = memberships.remove(tenantId, userId);
        users.find(userId).ifPresent(u -> invitations.withdraw(tenantId, u.email()));
        sessions.revokeAll(userId, tenantId, null, "removed from tenant");
        audit.record(AuditEvent.success(tenantId, Actor.of(caller), "tenant.remove_user", "user", userId)
                .withDetail("role", removed.role().value()));
    }

    TenantUser changeRole(Caller caller, Tenant tenant, UUID userId, Role role) {
        TenantId tenantId = tenant.tenantId();
        Role before = memberships
                .find(tenantId, userId)
                .map(Membership::role)
                .orElseThrow(() -> ProblemException.notFound("member " + userId));
        Membership changed = memberships.changeRole(tenantId, userId, role);
        if (before != role) {
            // the role is a claim of access tokens: tokens acting in this tenant must be re-issued
            sessions.revokeAll(
                    userId, tenantId, caller.userId().equals(userId) ? caller.sessionId() : null, "role changed");
        }
        audit.record(AuditEvent.success(tenantId, Actor.of(caller), "tenant.role_change", "user", userId)
                .withDetail("before", before.value())
                .withDetail("after", role.value()));
        return TenantUser.of(users.require(userId), changed);
    }
}

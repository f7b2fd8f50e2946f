package io.insa.iiot.tenancy;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import io.insa.iiot.shared.UserStatus;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
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

        static TenantUser of(MemberAccounts.Account user, Membership m) {
            return new TenantUser(
                    user.id(), user.email(), user.name(), m.role(), m.role().isAdmin(), user.status(), m.joinedAt());
        }
    }

    /** The invited address as the invite response shows it, the same whether or not it has an account. */
    record InvitedUser(String email, Role role, String status) {}

    /** The token and link appear only where {@code insa.invitations.expose-token} is on. */
    record InvitationView(
            UUID id,
            OffsetDateTime expiresAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String token,
            @JsonInclude(JsonInclude.Include.NON_NULL) String inviteUrl) {}

    record InviteResult(InvitedUser user, InvitationView invitation) {}

    private final MemberAccounts users;
    private final Memberships memberships;
    private final Invitations invitations;
    private final InvitationMail mail;
    private final Tenants tenants;
    private final MemberSessions sessions;
    private final TenantTransactions transactions;
    private final AuditLog audit;

    TenantMembers(
            MemberAccounts users,
            Memberships memberships,
            Invitations invitations,
            InvitationMail mail,
            Tenants tenants,
            MemberSessions sessions,
            TenantTransactions transactions,
            AuditLog audit) {
        this.users = users;
        this.memberships = memberships;
        this.invitations = invitations;
        this.mail = mail;
        this.tenants = tenants;
        this.sessions = sessions;
        this.transactions = transactions;
        this.audit = audit;
    }

    Page<TenantUser> list(Tenant tenant, PageRequest page) {
        Page<Membership> members = memberships.members(tenant.tenantId(), page);
        Map<UUID, MemberAccounts.Account> byId =
                users.findAll(members.items().stream().map(Membership::userId).toList()).stream()
                        .collect(Collectors.toMap(MemberAccounts.Account::id, Function.identity()));
        return members.map(m -> TenantUser.of(byId.get(m.userId()), m));
    }

    /**
     * Invites an address: an invitation, mailed to the address, that takes a seat of {@code max_users}
     * until it is accepted, declined or expires. Nobody is added here, whether or not the address has an
     * account, and the answer does not tell which.
     */
    InviteResult invite(Caller caller, Tenant tenant, String rawEmail, Role role) {
        mail.requireDeliverable();
        TenantId tenantId = tenant.tenantId();
        String email = users.normalizeEmail(rawEmail);
        return transactions.inTenant(tenantId, () -> {
            Tenant locked = tenants.lockForQuotaCheck(tenantId);
            Optional<MemberAccounts.Account> account = users.findByEmail(email);
            if (account.isPresent()
                    && memberships.find(tenantId, account.get().id()).isPresent()) {
                throw ProblemException.conflict(email + " is already a member of this tenant");
            }
            invitations.withdraw(tenantId, email); // a resend replaces the open invitation and its seat
            long seats = memberships.seatsUsed(tenantId);
            if (seats >= locked.maxUsers()) {
                throw ProblemException.quotaExceeded("user quota reached: max_users is " + locked.maxUsers() + " and "
                        + seats + " seats (members and open invitations) are taken");
            }
            Invitations.Issued issued = invitations.issue(tenantId, email, role, caller.userId());
            audit.record(AuditEvent.success(tenantId, Actor.of(caller), "tenant.invite", "invitation", issued.id())
                    .withDetail("email", email)
                    .withDetail("role", role.value()));
            mail.send(locked, email, issued, account.isPresent()); // last: nothing after it can fail but the commit
            InvitationView view = mail.exposesToken()
                    ? new InvitationView(
                            issued.id(), issued.expiresAt(), issued.token(), mail.acceptUrl(issued.token()))
                    : new InvitationView(issued.id(), issued.expiresAt(), null, null);
            return new InviteResult(new InvitedUser(email, role, "pending"), view);
        });
    }

    /** Removes a member, their open invitations and their sessions in the tenant, in one transaction. */
    void remove(Caller caller, Tenant tenant, UUID userId) {
        if (userId.equals(caller.userId())) {
            throw ProblemException.forbidden("nobody can remove themselves from a tenant");
        }
        TenantId tenantId = tenant.tenantId();
        transactions.inTenant(tenantId, () -> {
            Membership removed = memberships.remove(tenantId, userId);
            users.find(userId).ifPresent(u -> invitations.withdraw(tenantId, u.email()));
            sessions.endInTenant(userId, tenantId, null, "removed from tenant");
            audit.record(AuditEvent.success(tenantId, Actor.of(caller), "tenant.remove_user", "user", userId)
                    .withDetail("role", removed.role().value()));
        });
    }

    TenantUser changeRole(Caller caller, Tenant tenant, UUID userId, Role role) {
        TenantId tenantId = tenant.tenantId();
        return transactions.inTenant(tenantId, () -> changeRoleInTenant(caller, tenantId, userId, role));
    }

    private TenantUser changeRoleInTenant(Caller caller, TenantId tenantId, UUID userId, Role role) {
        Role before = memberships
                .find(tenantId, userId)
                .map(Membership::role)
                .orElseThrow(() -> ProblemException.notFound("member " + userId));
        Membership changed = memberships.changeRole(tenantId, userId, role);
        if (before != role) {
            // the role is a claim of access tokens: tokens acting in this tenant must be re-issued
            sessions.endInTenant(
                    userId, tenantId, caller.userId().equals(userId) ? caller.sessionId() : null, "role changed");
        }
        audit.record(AuditEvent.success(tenantId, Actor.of(caller), "tenant.role_change", "user", userId)
                .withDetail("before", before.value())
                .withDetail("after", role.value()));
        return TenantUser.of(
                users.find(userId).orElseThrow(() -> ProblemException.notFound("user " + userId)), changed);
    }
}

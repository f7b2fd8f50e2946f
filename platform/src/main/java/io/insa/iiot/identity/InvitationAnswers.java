package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.identity.AuthApi.InvitationSummary;
import io.insa.iiot.identity.AuthApi.TenantSummary;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.UserStatus;
import io.insa.iiot.tenancy.Invitations;
import io.insa.iiot.tenancy.Memberships;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * The invited person's side of an invitation. A new address accepts with the e-mailed token and
 * chooses its password; an address that already has an account accepts or declines while logged in,
 * so that nobody is ever added to a tenant, or handed a session, without proving they own the account.
 * Each answer spends the invitation, changes the account and membership and writes its audit entry in
 * one transaction.
 */
@Service
class InvitationAnswers {

    /** A new account created from an invitation, and the tenant it joined. */
    record Joined(UserAccount user, TenantId tenant) {}

    private final Invitations invitations;
    private final Memberships memberships;
    private final UserAccounts accounts;
    private final UserRepository users;
    private final Passwords passwords;
    private final TenantTransactions transactions;
    private final AuditLog audit;

    InvitationAnswers(
            Invitations invitations,
            Memberships memberships,
            UserAccounts accounts,
            UserRepository users,
            Passwords passwords,
            TenantTransactions transactions,
            AuditLog audit) {
        this.invitations = invitations;
        this.memberships = memberships;
        this.accounts = accounts;
        this.users = users;
        this.passwords = passwords;
        this.transactions = transactions;
        this.audit = audit;
    }

    /**
     * Accepts with the e-mailed token: creates the account (or activates one still invited) with the
     * chosen password. An active or disabled account is refused: its owner logs in and accepts there.
     */
    Joined acceptWithToken(String token, String password, String name) {
        Invitations.Pending invitation = invitations.byToken(token);
        Optional<UserAccount> existing = accounts.findByEmail(invitation.email());
        if (existing.isPresent() && existing.get().status() != UserStatus.INVITED) {
            throw accountExists();
        }
        passwords.requireAcceptable("password", password, PasswordPolicy.Owner.newAccount(invitation.email(), name));
        String hash = passwords.hash(password);
        TenantId tenant = invitation.tenantId();
        UserAccount user = transactions.inTenant(tenant, () -> {
            invitations.accept(tenant, invitation.id());
            UserAccount account = existing.map(invited -> activate(invited, name, hash))
                    .orElseGet(() -> accounts.create(invitation.email(), name.strip(), hash, false, UserStatus.ACTIVE));
            join(tenant, account, invitation.role(), invitation.id());
            return account;
        });
        return new Joined(accounts.require(user.id()), tenant);
    }

    List<InvitationSummary> open(Caller caller) {
        return invitations.openFor(account(caller).email()).stream()
                .map(InvitationSummary::of)
                .toList();
    }

    TenantSummary accept(Caller caller, UUID invitationId) {
        UserAccount user = account(caller);
        Invitations.Open invitation = find(user, invitationId);
        transactions.inTenant(invitation.tenantId(), () -> {
            invitations.accept(invitation.tenantId(), invitation.id());
            join(invitation.tenantId(), user, invitation.role(), invitation.id());
        });
        return new TenantSummary(
                invitation.tenantId().value(), invitation.tenantName(), invitation.tenantSlug(), invitation.role());
    }

    void decline(Caller caller, UUID invitationId) {
        UserAccount user = account(caller);
        Invitations.Open invitation = find(user, invitationId);
        transactions.inTenant(invitation.tenantId(), () -> {
            invitations.decline(invitation.tenantId(), invitation.id());
            audit.record(AuditEvent.success(
                    invitation.tenantId(),
                    Actor.user(user.id(), user.email()),
                    "tenant.invite_decline",
                    "invitation",
                    invitation.id()));
        });
    }

    private UserAccount activate(UserAccount invited, String name, String hash) {
        if (!users.activate(invited.id(), name.strip(), hash)) {
            throw accountExists();
        }
        return invited;
    }

    private void join(TenantId tenant, UserAccount user, Role role, UUID invitationId) {
        if (!memberships.add(tenant, user.id(), role)) {
            throw ProblemException.conflict("already a member of this tenant");
        }
        audit.record(AuditEvent.success(
                        tenant, Actor.user(user.id(), user.email()), "tenant.invite_accept", "user", user.id())
                .withDetail("invitation_id", invitationId.toString())
                .withDetail("role", role.value()));
    }

    private Invitations.Open find(UserAccount user, UUID invitationId) {
        return invitations.openFor(user.email()).stream()
                .filter(i -> i.id().equals(invitationId))
                .findFirst()
                .orElseThrow(() -> ProblemException.notFound("open invitation " + invitationId));
    }

    private UserAccount account(Caller caller) {
        if (caller.isApiKey()) {
            throw ProblemException.forbidden("this endpoint is for users, not API keys");
        }
        return accounts.require(caller.userId());
    }

    private static ProblemException accountExists() {
        return ProblemException.conflict("this address already has an account: log in and accept the invitation"
                + " under GET /api/v1/auth/invitations");
    }
}

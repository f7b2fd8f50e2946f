package io.insa.iiot.tenancy;

import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Who belongs to which tenant, in which role, and the rules that keep every tenant administrable. */
@Service
public class Memberships {

    private final MembershipRepository memberships;
    private final Invitations invitations;
    private final TenantTransactions transactions;
    private final Clock clock;

    Memberships(
            MembershipRepository memberships, Invitations invitations, TenantTransactions transactions, Clock clock) {
        this.memberships = memberships;
        this.invitations = invitations;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** All tenants of a user, oldest membership first (the default active tenant at login). */
    public List<Membership> ofUser(UUID userId) {
        return transactions.global(() -> memberships.ofUser(userId));
    }

    /** The user's role in a tenant, whichever tenant is active in their token. */
    public Optional<Role> roleOf(UUID userId, TenantId tenant) {
        return ofUser(userId).stream()
                .filter(m -> m.tenantId().equals(tenant))
                .map(Membership::role)
                .findFirst();
    }

    public Optional<Membership> find(TenantId tenant, UUID userId) {
        return transactions.inTenant(tenant, () -> memberships.find(userId));
    }

    public Page<Membership> members(TenantId tenant, PageRequest page) {
        return transactions.inTenant(
                tenant, () -> page.page(memberships.page(page.size(), page.offset()), memberships.count()));
    }

    public long memberCount(TenantId tenant) {
        return transactions.inTenant(tenant, memberships::count);
    }

    /** Members and open invitations: what {@code max_users} limits. */
    public long seatsUsed(TenantId tenant) {
        return transactions.inTenant(tenant, () -> memberships.count() + invitations.countOpen(tenant));
    }

    /** Adds a member; false when the user already is one. */
    public boolean add(TenantId tenant, UUID userId, Role role) {
        return transactions.inTenant(tenant, () -> memberships.insert(new Membership(tenant, userId, role, now())));
    }

    public Membership changeRole(TenantId tenant, UUID userId, Role role) {
        return transactions.inTenant(tenant, () -> {
            List<UUID> admins = memberships.lockAdmins();
            Membership current =
                    memberships.find(userId).orElseThrow(() -> ProblemException.notFound("member " + userId));
            if (current.role() == Role.ADMIN && role != Role.ADMIN && admins.size() == 1) {
                throw lastAdmin();
            }
            memberships.updateRole(userId, role);
            return new Membership(tenant, userId, role, current.joinedAt());
        });
    }

    public Membership remove(TenantId tenant, UUID userId) {
        return transactions.inTenant(tenant, () -> {
            List<UUID> admins = memberships.lockAdmins();
            Membership current =
                    memberships.find(userId).orElseThrow(() -> ProblemException.notFound("member " + userId));
            if (current.role() == Role.ADMIN && admins.size() == 1) {
                throw lastAdmin();
            }
            memberships.delete(userId);
            return current;
        });
    }

    private static ProblemException lastAdmin() {
        return ProblemException.conflict("a tenant must keep at least one admin: this is the last one");
    }

    private OffsetDateTime now() {
        return Times.now(clock);
    }
}

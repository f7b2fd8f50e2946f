package io.insa.iiot.tenancy;

import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Role;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Invitations to join a tenant. An invitation adds nobody: the membership appears only when the owner of
 * the invited address accepts, with the e-mailed token (a new account) or logged in (an existing one).
 * An open invitation holds a seat of {@code max_users}. Only the SHA-256 of a token is stored.
 */
@Service
public class Invitations {

    /** A freshly issued invitation; the token exists only in this object and in the e-mail. */
    public record Issued(UUID id, String token, OffsetDateTime expiresAt) {}

    /** An open invitation found by its token: what accepting it would grant, and to whom. */
    public record Pending(UUID id, TenantId tenantId, String email, Role role) {}

    /** An open invitation as its addressee sees it. */
    public record Open(
            UUID id,
            TenantId tenantId,
            String tenantName,
            String tenantSlug,
            Role role,
            OffsetDateTime invitedAt,
            OffsetDateTime expiresAt) {}

    /** An invitation not yet answered, as the tenant's admins see it. */
    public record Outstanding(UUID id, String email, Role role, OffsetDateTime invitedAt, OffsetDateTime expiresAt) {}

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final Duration ttl;

    Invitations(
            JdbcClient jdbc,
            TenantTransactions transactions,
            Clock clock,
            @Value("${insa.auth.invitation-ttl}") Duration ttl) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Issues an invitation, replacing an open one to the same address (a resend). */
    public Issued issue(TenantId tenant, String email, Role role, UUID invitedBy) {
        String token = Secrets.newToken();
        OffsetDateTime now = now();
        Issued issued = new Issued(Ids.newId(), token, now.plus(ttl));
        transactions.inTenant(tenant, () -> {
            withdraw(tenant, email);
            jdbc.sql("""
                    INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(
                            issued.id(),
                            tenant.value(),
                            email,
                            role.value(),
                            Secrets.sha256Hex(token),
                            invitedBy,
                            now,
                            issued.expiresAt())
                    .update();
        });
        return issued;
    }

    /**
     * The open invitation a token stands for. The tenant is unknown until the token is looked up, which
     * is what the named function {@code app_invitation_by_token} is for.
     */
    public Pending byToken(String token) {
        record Row(
                UUID id,
                UUID tenantId,
                String email,
                String role,
                OffsetDateTime expiresAt,
                OffsetDateTime acceptedAt,
                OffsetDateTime declinedAt) {}
        Row row = transactions
                .global(() -> jdbc.sql("SELECT * FROM app_invitation_by_token(?)")
                        .param(Secrets.sha256Hex(token))
                        .query(Row.class)
                        .optional())
                .orElseThrow(Invitations::invalidToken);
        if (row.acceptedAt() != null
                || row.declinedAt() != null
                || !row.expiresAt().isAfter(now())) {
            throw invalidToken();
        }
        return new Pending(row.id(), TenantId.of(row.tenantId()), row.email(), Role.of(row.role()));
    }

    /** The open invitations addressed to an e-mail, in every tenant; the e-mail must be the caller's own. */
    public List<Open> openFor(String email) {
        record Row(
                UUID id,
                UUID tenantId,
                String tenantName,
                String tenantSlug,
                String role,
                OffsetDateTime createdAt,
                OffsetDateTime expiresAt) {}
        OffsetDateTime now = now();
        return transactions
                .global(() -> jdbc.sql("SELECT * FROM app_open_invitations_for(?)")
                        .param(email)
                        .query(Row.class)
                        .list())
                .stream()
                .filter(r -> r.expiresAt().isAfter(now))
                .map(r -> new Open(
                        r.id(),
                        TenantId.of(r.tenantId()),
                        r.tenantName(),
                        r.tenantSlug(),
                        Role.of(r.role()),
                        r.createdAt(),
                        r.expiresAt()))
                .toList();
    }

    /** Spends an open invitation; refused when it was spent, declined or withdrawn meanwhile. */
    public void accept(TenantId tenant, UUID id) {
        close(tenant, id, "accepted_at");
    }

    public void decline(TenantId tenant, UUID id) {
        close(tenant, id, "declined_at");
    }

    /** Drops the open invitations of an address to a tenant (on a resend, or when the user is removed). */
    public void withdraw(TenantId tenant, String email) {
        transactions.inTenant(
                tenant,
                () -> jdbc.sql(
                                "DELETE FROM invitations WHERE email = ? AND accepted_at IS NULL AND declined_at IS NULL")
                        .param(email)
                        .update());
    }

    /** The tenant's invitations that are neither answered nor expired, newest first. */
    public List<Outstanding> outstanding(TenantId tenant) {
        return transactions.inTenant(
                tenant,
                () -> jdbc.sql("""
                                SELECT id, email, role, created_at, expires_at FROM invitations
                                WHERE accepted_at IS NULL AND declined_at IS NULL AND expires_at > ?
                                ORDER BY created_at DESC LIMIT 1000""")
                        .param(now())
                        .query((rs, n) -> new Outstanding(
                                rs.getObject("id", UUID.class),
                                rs.getString("email"),
                                Role.of(rs.getString("role")),
                                rs.getObject("created_at", OffsetDateTime.class),
                                rs.getObject("expires_at", OffsetDateTime.class)))
                        .list());
    }

    /** Open invitations hold seats; run in the tenant's transaction. */
    long countOpen(TenantId tenant) {
        return transactions.inTenant(
                tenant, () -> jdbc.sql("""
                                SELECT count(*) FROM invitations
                                WHERE accepted_at IS NULL AND declined_at IS NULL AND expires_at > ?""").param(now()).query(Long.class).single());
    }

    private void close(TenantId tenant, UUID id, String column) {
        int closed = transactions.inTenant(
                tenant,
                () -> jdbc.sql("UPDATE invitations SET " + column + " = ? WHERE id = ? AND accepted_at IS NULL"
                                + " AND declined_at IS NULL AND expires_at > ?")
                        .params(now(), id, now())
                        .update());
        if (closed != 1) {
            throw ProblemException.conflict("the invitation was accepted, declined or withdrawn meanwhile");
        }
    }

    private static ProblemException invalidToken() {
        return ProblemException.badRequest("token", "invitation is unknown, expired or already used");
    }

    private OffsetDateTime now() {
        return Times.now(clock);
    }
}

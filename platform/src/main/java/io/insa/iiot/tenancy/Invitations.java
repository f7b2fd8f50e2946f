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
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Invitation tokens: issued to a new user's e-mail when they are invited, spent once when they set
 * their password. Only the SHA-256 of a token is stored.
 */
@Service
public class Invitations {

    /** A freshly issued invitation; the token exists only in this object and in the e-mail. */
    public record Issued(UUID id, String token, OffsetDateTime expiresAt) {}

    /** A spent invitation: the tenant and role the e-mail's owner now holds. */
    public record Accepted(TenantId tenantId, String email, Role role) {}

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

    public Issued issue(TenantId tenant, String email, Role role, UUID invitedBy) {
        String token = Secrets.newToken();
        OffsetDateTime now = now();
        Issued issued = new Issued(Ids.newId(), token, now.plus(ttl));
        transactions.inTenant(
                tenant,
                () -> jdbc.sql("""
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
                        .update());
        return issued;
    }

    /**
     * Spends a token. The tenant is unknown until the token is looked up, which is what the named
     * function {@code app_invitation_by_token} is for; the update then runs in that tenant.
     */
    public Accepted accept(String token) {
        String hash = Secrets.sha256Hex(token);
        record Row(
                UUID id,
                UUID tenantId,
                String email,
                String role,
                OffsetDateTime expiresAt,
                OffsetDateTime acceptedAt) {}
        Row row = transactions
                .global(() -> jdbc.sql("SELECT * FROM app_invitation_by_token(?)")
                        .param(hash)
                        .query(Row.class)
                        .optional())
                .orElseThrow(Invitations::invalid);
        if (row.acceptedAt() != null || !row.expiresAt().isAfter(now())) {
            throw invalid();
        }
        TenantId tenant = TenantId.of(row.tenantId());
        int spent = transactions.inTenant(
                tenant,
                () -> jdbc.sql("UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL")
                        .params(now(), row.id())
                        .update());
        if (spent != 1) {
            throw invalid();
        }
        return new Accepted(tenant, row.email(), Role.of(row.role()));
    }

    /** Drops a user's open invitations to a tenant (when they are removed from it). */
    public void withdraw(TenantId tenant, String email) {
        transactions.inTenant(
                tenant,
                () -> jdbc.sql("DELETE FROM invitations WHERE email = ? AND accepted_at IS NULL")
                        .param(email)
                        .update());
    }

    private static ProblemException invalid() {
        return ProblemException.badRequest("token", "invitation is unknown, expired or already used");
    }

    private OffsetDateTime now() {
        return Times.now(clock);
    }
}

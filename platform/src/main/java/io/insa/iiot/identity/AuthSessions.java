package io.insa.iiot.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import io.insa.iiot.tenancy.MemberSessions;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Login sessions and their rotating refresh tokens. A session is one token family: each refresh spends
 * the presented token and issues the next; presenting a spent token again means it was stolen, and the
 * whole family is revoked. Access tokens name their session, so revoking it ends them too.
 */
@Service
class AuthSessions implements MemberSessions {

    /** A session's state as a refresh sees it. */
    record Session(UUID id, UUID userId, UUID tenantId) {}

    sealed interface Rotation {
        record Rotated(Session session, String refreshToken) implements Rotation {}

        record Reused(Session session) implements Rotation {}

        record Invalid() implements Rotation {}
    }

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final Duration refreshTtl;
    /** Revocation checks on every request; short-lived so that another node's revocation is seen soon. */
    private final Cache<UUID, Boolean> active = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(30))
            .build();

    AuthSessions(
            JdbcClient jdbc,
            TenantTransactions transactions,
            Clock clock,
            ApplicationEventPublisher events,
            @Value("${insa.jwt.refresh-token-ttl}") Duration refreshTtl) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.events = events;
        this.refreshTtl = refreshTtl;
    }

    /** Starts a session and returns its first refresh token. */
    Rotation.Rotated start(UUID userId, TenantId tenant) {
        Session session = new Session(Ids.newId(), userId, tenant == null ? null : tenant.value());
        return transactions.global(() -> {
            jdbc.sql("INSERT INTO auth_sessions (id, user_id, active_tenant_id, created_at) VALUES (?, ?, ?, ?)")
                    .params(session.id(), userId, session.tenantId(), Times.now(clock))
                    .update();
            return new Rotation.Rotated(session, issue(session.id()));
        });
    }

    Rotation rotate(String refreshToken) {
        String hash = Secrets.sha256Hex(refreshToken);
        return transactions.global(() -> {
            record Row(
                    UUID sessionId,
                    UUID userId,
                    UUID tenantId,
                    OffsetDateTime expiresAt,
                    OffsetDateTime usedAt,
                    OffsetDateTime revokedAt) {}
            var row = jdbc.sql("""
                            SELECT r.session_id, s.user_id, s.active_tenant_id AS tenant_id, r.expires_at, r.used_at, s.revoked_at
                            FROM refresh_tokens r JOIN auth_sessions s ON s.id = r.session_id
                            WHERE r.token_hash = ? FOR UPDATE""").param(hash).query(Row.class).optional();
            if (row.isEmpty() || row.get().revokedAt() != null) {
                return new Rotation.Invalid();
            }
            Session session = new Session(
                    row.get().sessionId(), row.get().userId(), row.get().tenantId());
            if (row.get().usedAt() != null) {
                revoke(session.id(), "refresh token reused");
                return new Rotation.Reused(session);
            }
            if (!row.get().expiresAt().isAfter(Times.now(clock))) {
                return new Rotation.Invalid();
            }
            jdbc.sql("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?")
                    .params(Times.now(clock), hash)
                    .update();
            return new Rotation.Rotated(session, issue(session.id()));
        });
    }

    /** Moves a session to another tenant; its outstanding refresh tokens are replaced by a new one. */
    Rotation.Rotated switchTenant(UUID sessionId, UUID userId, TenantId tenant) {
        return transactions.global(() -> {
            jdbc.sql("UPDATE auth_sessions SET active_tenant_id = ? WHERE id = ?")
                    .params(tenant.value(), sessionId)
                    .update();
            jdbc.sql("DELETE FROM refresh_tokens WHERE session_id = ? AND used_at IS NULL")
                    .param(sessionId)
                    .update();
            return new Rotation.Rotated(new Session(sessionId, userId, tenant.value()), issue(sessionId));
        });
    }

    void revoke(UUID sessionId, String reason) {
        var user = transactions.global(() -> jdbc.sql("""
                        UPDATE auth_sessions SET revoked_at = ?, revoke_reason = ?
                        WHERE id = ? AND revoked_at IS NULL
                        RETURNING user_id""")
                .params(Times.now(clock), reason, sessionId)
                .query(UUID.class)
                .optional());
        active.put(sessionId, false);
        user.ifPresent(id -> announce(id, Set.of(sessionId), reason));
    }

    /** Ends a user's sessions, all of them or those acting in one tenant, except {@code keep}. */
    void revokeAll(UUID userId, TenantId onlyTenant, UUID keep, String reason) {
        var revoked = transactions.global(() -> jdbc.sql("""
                        UPDATE auth_sessions SET revoked_at = ?, revoke_reason = ?
                        WHERE user_id = ? AND revoked_at IS NULL AND id IS DISTINCT FROM ?
                          AND (?::uuid IS NULL OR active_tenant_id = ?::uuid)
                        RETURNING id""")
                .params(
                        Times.now(clock),
                        reason,
                        userId,
                        keep,
                        onlyTenant == null ? null : onlyTenant.value(),
                        onlyTenant == null ? null : onlyTenant.value())
                .query(UUID.class)
                .list());
        revoked.forEach(id -> active.put(id, false));
        if (!revoked.isEmpty()) {
            announce(userId, Set.copyOf(revoked), reason);
        }
    }

    @Override
    public void endInTenant(UUID userId, TenantId tenant, UUID keep, String reason) {
        revokeAll(userId, tenant, keep, reason);
    }

    /** Tells this node once the revocation committed; a rolled-back one ends nothing. */
    private void announce(UUID userId, Set<UUID> sessionIds, String reason) {
        TenantTransactions.afterCommit(() -> events.publishEvent(new SessionsRevoked(userId, sessionIds, reason)));
    }

    boolean isActive(UUID sessionId) {
        return active.get(
                sessionId,
                id -> transactions.global(() -> jdbc.sql(
                                "SELECT EXISTS (SELECT 1 FROM auth_sessions WHERE id = ? AND revoked_at IS NULL)")
                        .param(id)
                        .query(Boolean.class)
                        .single()));
    }

    private String issue(UUID sessionId) {
        String token = Secrets.newToken();
        OffsetDateTime now = Times.now(clock);
        jdbc.sql("INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
                .params(Secrets.sha256Hex(token), sessionId, now, now.plus(refreshTtl))
                .update();
        return token;
    }
}

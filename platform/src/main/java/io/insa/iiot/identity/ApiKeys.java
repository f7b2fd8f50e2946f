package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Tenant API keys for integrations: {@code iiot_<random>}, shown once, stored as SHA-256, scoped
 * (read, write, ingest), optionally expiring, revocable, with the time of last use.
 */
@Service
class ApiKeys {

    static final Set<String> SCOPES = Set.of("read", "write", "ingest");
    static final String KEY_PREFIX = "iiot_";

    record ApiKey(
            UUID id,
            String name,
            String prefix,
            List<String> scopes,
            UUID createdBy,
            OffsetDateTime createdAt,
            OffsetDateTime expiresAt,
            OffsetDateTime revokedAt,
            OffsetDateTime lastUsedAt) {}

    /** The response to a creation: the only time the key itself is shown. */
    record CreatedApiKey(ApiKey apiKey, String key) {}

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Clock clock;

    ApiKeys(JdbcClient jdbc, TenantTransactions transactions, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
    }

    CreatedApiKey create(Caller caller, TenantId tenant, String name, List<String> scopes, OffsetDateTime expiresAt) {
        for (String scope : scopes) {
            if (!SCOPES.contains(scope)) {
                throw ProblemException.badRequest(
                        "scopes", "unknown scope '" + scope + "', allowed: read, write, ingest");
            }
        }
        OffsetDateTime now = Times.now(clock);
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ProblemException.badRequest("expires_at", "must be in the future");
        }
        String key = KEY_PREFIX + Secrets.newToken();
        ApiKey created = new ApiKey(
                Ids.newId(),
                name.strip(),
                key.substring(0, KEY_PREFIX.length() + 6),
                scopes.stream().distinct().sorted().toList(),
                caller.userId(),
                now,
                expiresAt,
                null,
                null);
        transactions.inTenant(tenant, () -> {
            jdbc.sql("""
                    INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes, created_by, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(
                            created.id(),
                            tenant.value(),
                            created.name(),
                            created.prefix(),
                            Secrets.sha256Hex(key),
                            created.scopes().toArray(String[]::new),
                            created.createdBy(),
                            now,
                            expiresAt)
                    .update();
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "api_key.create", "api_key", created.id())
                    .withDetail("name", created.name())
                    .withDetail("scopes", created.scopes()));
        });
        return new CreatedApiKey(created, key);
    }

    Page<ApiKey> list(TenantId tenant, PageRequest page) {
        return transactions.inTenant(
                tenant,
                () -> page.page(
                        jdbc.sql("SELECT * FROM api_keys ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                                .params(page.size(), page.offset())
                                .query(ApiKeys::map)
                                .list(),
                        jdbc.sql("SELECT count(*) FROM api_keys")
                                .query(Long.class)
                                .single()));
    }

    void revoke(Caller caller, TenantId tenant, UUID id) {
        transactions.inTenant(tenant, () -> {
            int updated = jdbc.sql("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                    .params(Times.now(clock), id)
                    .update();
            if (updated == 0) {
                throw ProblemException.notFound("active API key " + id);
            }
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "api_key.revoke", "api_key", id));
        });
    }

    /**
     * The caller a presented key stands for, if it is valid. The tenant is unknown until the key is
     * looked up: that lookup is the named function {@code app_api_key_by_hash}.
     */
    Optional<Caller> authenticate(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        record Row(
                UUID id,
                UUID tenantId,
                String name,
                String[] scopes,
                OffsetDateTime expiresAt,
                OffsetDateTime revokedAt) {}
        Optional<Row> row = transactions.global(() -> jdbc.sql("SELECT * FROM app_api_key_by_hash(?)")
                .param(Secrets.sha256Hex(key))
                .query((rs, n) -> new Row(
                        rs.getObject("id", UUID.class),
                        rs.getObject("tenant_id", UUID.class),
                        rs.getString("name"),
                        strings(rs.getArray("scopes")),
                        rs.getObject("expires_at", OffsetDateTime.class),
                        rs.getObject("revoked_at", OffsetDateTime.class)))
                .optional());
        OffsetDateTime now = Times.now(clock);
        if (row.isEmpty()
                || row.get().revokedAt() != null
                || (row.get().expiresAt() != null && !row.get().expiresAt().isAfter(now))) {
            return Optional.empty();
        }
        TenantId tenant = TenantId.of(row.get().tenantId());
        transactions.inTenant(
                tenant,
                () -> jdbc.sql("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
                        .params(now, row.get().id())
                        .update());
        return Optional.of(new Caller(
                null,
                row.get().id(),
                row.get().name(),
                false,
                tenant,
                null,
                Set.of(row.get().scopes()),
                null));
    }

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        return new ApiKey(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("prefix"),
                List.of(strings(rs.getArray("scopes"))),
                rs.getObject("created_by", UUID.class),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("expires_at", OffsetDateTime.class),
                rs.getObject("revoked_at", OffsetDateTime.class),
                rs.getObject("last_used_at", OffsetDateTime.class));
    }

    private static String[] strings(Array array) throws SQLException {
        return (String[]) array.getArray();
    }
}

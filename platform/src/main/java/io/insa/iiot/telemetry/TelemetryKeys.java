package io.insa.iiot.telemetry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The key dictionary: telemetry rows carry a per-tenant integer instead of the key's name. */
@Component
public class TelemetryKeys {

    private record Name(TenantId tenant, String key) {}

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Cache<Name, Integer> ids =
            Caffeine.newBuilder().maximumSize(1_000_000).build();

    TelemetryKeys(JdbcClient jdbc, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** The ids of the keys, created when new (in a transaction of their own: ids are never rolled back). */
    public Map<String, Integer> idsOf(TenantId tenant, Collection<String> keys) {
        Map<String, Integer> out = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            Integer id = ids.getIfPresent(new Name(tenant, key));
            if (id != null) {
                out.put(key, id);
            } else {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            String[] names = missing.toArray(String[]::new);
            transactions.inTenant(tenant, () -> {
                jdbc.sql(
                                "INSERT INTO telemetry_keys (tenant_id, key) SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING")
                        .params(tenant.value(), names)
                        .update();
                jdbc.sql("SELECT key, id FROM telemetry_keys WHERE key = ANY(?)")
                        .param(names)
                        .query(rs -> {
                            out.put(rs.getString("key"), rs.getInt("id"));
                            ids.put(new Name(tenant, rs.getString("key")), rs.getInt("id"));
                        });
            });
        }
        return out;
    }

    /** The ids of existing keys only, for queries: unknown keys have no data. */
    Map<String, Integer> existing(TenantId tenant, Collection<String> keys) {
        Map<String, Integer> out = new HashMap<>();
        transactions.inTenant(
                tenant,
                () -> jdbc.sql("SELECT key, id FROM telemetry_keys WHERE key = ANY(?)")
                        .param(keys.toArray(String[]::new))
                        .query(rs -> {
                            out.put(rs.getString("key"), rs.getInt("id"));
                        }));
        return out;
    }
}

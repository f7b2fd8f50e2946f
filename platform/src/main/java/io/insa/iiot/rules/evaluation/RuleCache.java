package io.insa.iiot.rules.evaluation;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.insa.iiot.rules.Condition;
import io.insa.iiot.rules.Rule;
import io.insa.iiot.rules.RuleRepository;
import io.insa.iiot.shared.CacheEvictions;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The enabled rules of each tenant, indexed by key, as the evaluator looks them up for every committed
 * point. A change evicts its tenant on every node at commit, so it applies to the next point; the
 * expiry is the safety net of a missed eviction.
 */
@Component
public class RuleCache {

    /**
     * A tenant's enabled rules: those judging points by telemetry key, the no-data ones, and the
     * client_rpc ones by the method they answer (their key), oldest first.
     */
    record TenantRules(Map<String, List<Rule>> byKey, List<Rule> noData, Map<String, List<Rule>> byMethod) {
        static final TenantRules NONE = new TenantRules(Map.of(), List.of(), Map.of());

        static TenantRules of(List<Rule> rules) {
            Map<String, List<Rule>> byKey = new HashMap<>();
            Map<String, List<Rule>> byMethod = new HashMap<>();
            rules.stream()
                    .sorted(Comparator.comparing(Rule::createdAt))
                    .forEach(r -> (r.definition().condition() instanceof Condition.ClientRpc ? byMethod : byKey)
                            .computeIfAbsent(r.judgedKey(), k -> new ArrayList<>())
                            .add(r));
            return new TenantRules(
                    Map.copyOf(byKey),
                    rules.stream()
                            .filter(r -> r.definition().condition() instanceof Condition.NoData)
                            .toList(),
                    Map.copyOf(byMethod));
        }

        boolean isEmpty() {
            return byKey.isEmpty();
        }
    }

    private final LoadingCache<TenantId, TenantRules> tenants;

    private final CacheEvictions evictions;

    RuleCache(RuleRepository rules, TenantTransactions transactions, CacheEvictions evictions) {
        this.tenants = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(Duration.ofSeconds(30))
                .build(tenant -> transactions.inTenant(tenant, () -> TenantRules.of(rules.enabled())));
        this.evictions = evictions;
        evictions.register(
                "rules", tenant -> tenants.invalidate(TenantId.of(UUID.fromString(tenant))), tenants::invalidateAll);
    }

    TenantRules of(TenantId tenant) {
        return tenants.get(tenant);
    }

    /** Forgets the tenant's rules on every node once the running transaction commits. */
    public void evictAtCommit(TenantId tenant) {
        evictions.evict("rules", tenant.value().toString());
    }
}

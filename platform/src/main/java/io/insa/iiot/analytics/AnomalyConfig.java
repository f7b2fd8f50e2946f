package io.insa.iiot.analytics;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceScope;
import io.insa.iiot.shared.CacheEvictions;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.JsonFields;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * A tenant's anomaly settings: changed by its admins (audited in the change's transaction), read by
 * the scoring lanes for every committed message, so cached per tenant and evicted on every node at
 * commit.
 */
@Service
class AnomalyConfig {

    static final int MAX_KEYS = 100;

    private final AnomalySettingsRepository settings;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Clock clock;
    private final LoadingCache<TenantId, AnomalySettings> cache;
    private final CacheEvictions evictions;

    AnomalyConfig(
            AnomalySettingsRepository settings,
            TenantTransactions transactions,
            AuditLog audit,
            Clock clock,
            CacheEvictions evictions) {
        this.settings = settings;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(Duration.ofSeconds(30))
                .build(tenant ->
                        transactions.inTenant(tenant, () -> settings.find().orElse(AnomalySettings.OFF)));
        this.evictions = evictions;
        evictions.register(
                "anomaly-settings", t -> cache.invalidate(TenantId.of(UUID.fromString(t))), cache::invalidateAll);
    }

    AnomalySettings of(TenantId tenant) {
        return cache.get(tenant);
    }

    /** Changes the fields the patch names: {@code enabled}, {@code scope}, {@code keys}. */
    AnomalySettings update(Caller caller, TenantId tenant, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object");
        }
        JsonFields.unknownFields(patch, Set.of("enabled", "scope", "keys"), "");
        AnomalySettings current = of(tenant);
        boolean enabled = patch.has("enabled") ? JsonFields.bool(patch.get("enabled"), "enabled") : current.enabled();
        DeviceScope scope = patch.has("scope") ? DeviceScope.parse(patch.get("scope"), "scope") : current.scope();
        List<String> keys = patch.has("keys") ? keys(patch.get("keys")) : current.keys();
        AnomalySettings changed =
                new AnomalySettings(enabled, scope, keys, Times.now(clock).toInstant());
        transactions.inTenant(tenant, () -> {
            settings.save(tenant, changed);
            audit.record(AuditEvent.success(
                            tenant, AuditEvent.Actor.of(caller), "analytics.anomaly.update", "tenant", tenant.value())
                    .withDetail("enabled", enabled)
                    .withDetail("keys", keys));
            evictions.evict("anomaly-settings", tenant.value().toString()); // on every node
        });
        return changed;
    }

    long models(TenantId tenant) {
        return transactions.inTenant(tenant, settings::models);
    }

    private static List<String> keys(JsonNode node) {
        if (!node.isArray() || node.size() > MAX_KEYS) {
            throw ProblemException.badRequest("keys", "must be a list of at most " + MAX_KEYS + " telemetry keys");
        }
        Set<String> keys = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode key = node.get(i);
            String field = "keys[" + i + "]";
            if (!key.isString() || key.asString().isBlank() || key.asString().length() > 255) {
                throw ProblemException.badRequest(field, "must be a telemetry key");
            }
            if (AnomalyScores.isScoreSeries(key.asString())) {
                throw ProblemException.badRequest(field, "scores are not scored again");
            }
            keys.add(key.asString());
        }
        return new ArrayList<>(keys);
    }
}

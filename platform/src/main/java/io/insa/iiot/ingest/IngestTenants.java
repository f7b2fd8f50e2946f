package io.insa.iiot.ingest;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.insa.iiot.shared.CacheEvictions;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.TenantChanged;
import io.insa.iiot.tenancy.Tenants;
import java.time.Duration;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tenant status and quotas as ingest needs them on every message: cached, and dropped from the cache
 * of every node as soon as the tenant changes (suspension, new quotas). An entry is reloaded in the background
 * after 30 s, and kept while the database cannot be reached, so that a short outage refuses nothing
 * on the tenant's account.
 */
@Component
class IngestTenants {

    private final LoadingCache<TenantId, Tenant> cache;

    private final CacheEvictions evictions;

    IngestTenants(Tenants tenants, CacheEvictions evictions) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(100_000)
                .refreshAfterWrite(Duration.ofSeconds(30))
                .expireAfterWrite(Duration.ofMinutes(10))
                .build(tenants::require);
        this.evictions = evictions;
        evictions.register(
                "ingest-tenants",
                tenant -> cache.invalidate(TenantId.of(UUID.fromString(tenant))),
                cache::invalidateAll);
    }

    Tenant get(TenantId id) {
        return cache.get(id);
    }

    /** True when {@link #get} answers from memory (a due reload runs in the background). */
    boolean isCached(TenantId id) {
        return cache.getIfPresent(id) != null;
    }

    /** On every node: a suspension or new quotas apply to the tenant's next message wherever it arrives. */
    @EventListener
    void changed(TenantChanged event) {
        evictions.evict("ingest-tenants", event.tenantId().value().toString());
    }
}

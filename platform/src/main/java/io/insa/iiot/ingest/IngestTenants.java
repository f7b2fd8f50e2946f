package io.insa.iiot.ingest;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.TenantChanged;
import io.insa.iiot.tenancy.Tenants;
import java.time.Duration;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tenant status and quotas as ingest needs them on every message: cached, and dropped from the cache
 * as soon as the tenant changes (suspension, new quotas). An entry is reloaded in the background
 * after 30 s, and kept while the database cannot be reached, so that a short outage refuses nothing
 * on the tenant's account.
 */
@Component
class IngestTenants {

    private final LoadingCache<TenantId, Tenant> cache;

    IngestTenants(Tenants tenants) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(100_000)
                .refreshAfterWrite(Duration.ofSeconds(30))
                .expireAfterWrite(Duration.ofMinutes(10))
                .build(tenants::require);
    }

    Tenant get(TenantId id) {
        return cache.get(id);
    }

    /** True when {@link #get} answers from memory (a due reload runs in the background). */
    boolean isCached(TenantId id) {
        return cache.getIfPresent(id) != null;
    }

    @EventListener
    void changed(TenantChanged event) {
        cache.invalidate(event.tenantId());
    }
}

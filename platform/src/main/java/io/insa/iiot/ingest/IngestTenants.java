package io.insa.iiot.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.TenantChanged;
import io.insa.iiot.tenancy.Tenants;
import java.time.Duration;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tenant status and quotas as ingest needs them on every message: cached, and dropped from the cache
 * as soon as the tenant changes (suspension, new quotas).
 */
@Component
class IngestTenants {

    private final Tenants tenants;
    private final Cache<TenantId, Tenant> cache = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(30))
            .build();

    IngestTenants(Tenants tenants) {
        this.tenants = tenants;
    }

    Tenant get(TenantId id) {
        return cache.get(id, tenants::require);
    }

    @EventListener
    void changed(TenantChanged event) {
        cache.invalidate(event.tenantId());
    }
}

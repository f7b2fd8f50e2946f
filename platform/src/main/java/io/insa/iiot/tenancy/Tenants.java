package io.insa.iiot.tenancy;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/** The tenant registry: create, read, update, suspend. Authorization is the caller's job. */
@Service
public class Tenants {

    private final TenantRepository tenants;
    private final TenantTransactions transactions;
    private final TenantDefaults defaults;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    Tenants(
            TenantRepository tenants,
            TenantTransactions transactions,
            TenantDefaults defaults,
            AuditLog audit,
            ApplicationEventPublisher events,
            Clock clock) {
        this.tenants = tenants;
        this.transactions = transactions;
        this.defaults = defaults;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    public Optional<Tenant> find(UUID id) {
        return transactions.global(() -> tenants.find(id));
    }

    public Tenant require(TenantId id) {
        return find(id.value()).orElseThrow(() -> ProblemException.notFound("tenant " + id));
    }

    /** Every tenant: for platform jobs such as retention. */
    public List<Tenant> all() {
        return transactions.global(() -> tenants.page(Integer.MAX_VALUE, 0));
    }

    public List<Tenant> findAll(List<UUID> ids) {
        return transactions.global(() -> tenants.findAll(ids));
    }

    /**
     * Locks the tenant row until the running transaction ends, so that entity quotas (users, devices)
     * are checked and consumed without racing a concurrent request.
     */
    public Tenant lockForQuotaCheck(TenantId id) {
        return tenants.findForUpdate(id.value()).orElseThrow(() -> ProblemException.notFound("tenant " + id));
    }

    Page<Tenant> list(PageRequest page) {
        return transactions.global(() -> page.page(tenants.page(page.size(), page.offset()), tenants.count()));
    }

    Tenant create(TenantRequests.Create request, Caller caller) {
        return create(request, AuditEvent.Actor.of(caller), tenant -> {});
    }

    /**
     * A tenant the platform sets up itself (the demo plant), with the default quotas, audited as the
     * system; {@code furnish} runs in the same transaction, in the new tenant's context, so that what it
     * adds (a first member) commits with the tenant or not at all.
     */
    public Tenant createBySystem(String name, String slug, Consumer<TenantId> furnish) {
        return create(
                new TenantRequests.Create(name, slug, null, null, null, null, null, null, null),
                AuditEvent.Actor.system(),
                furnish);
    }

    private Tenant create(TenantRequests.Create request, AuditEvent.Actor actor, Consumer<TenantId> furnish) {
        OffsetDateTime now = now();
        Tenant tenant = new Tenant(
                Ids.newId(),
                request.name().strip(),
                request.slug(),
                request.status() != null ? request.status() : TenantStatus.ACTIVE,
                or(request.maxDevices(), defaults.maxDevices()),
                or(request.maxUsers(), defaults.maxUsers()),
                request.maxTelemetryPointsPerDay() != null
                        ? request.maxTelemetryPointsPerDay()
                        : defaults.maxTelemetryPointsPerDay(),
                or(request.maxRetentionDays(), defaults.maxRetentionDays()),
                or(request.maxMessagesPerSecond(), defaults.maxMessagesPerSecond()),
                Boolean.TRUE.equals(request.requireMfa()),
                now,
                now);
        // the tenant's own context, so that its audit entry commits in the same transaction
        transactions.inTenant(tenant.tenantId(), () -> {
            if (tenants.slugTaken(tenant.slug(), tenant.id())) {
                throw duplicateSlug(tenant.slug());
            }
            insertOrConflict(tenant);
            audit.record(AuditEvent.success(tenant.tenantId(), actor, "tenant.create", "tenant", tenant.id())
                    .withDetail("after", tenant));
            furnish.accept(tenant.tenantId());
        });
        return tenant;
    }

    Tenant update(UUID id, TenantRequests.Update request, Caller caller) {
        Tenant after = transactions.inTenant(TenantId.of(id), () -> {
            Tenant before = tenants.findForUpdate(id).orElseThrow(() -> ProblemException.notFound("tenant " + id));
            Tenant changed = request.applyTo(before, now());
            if (!changed.slug().equals(before.slug()) && tenants.slugTaken(changed.slug(), id)) {
                throw duplicateSlug(changed.slug());
            }
            try {
                tenants.update(changed);
            } catch (DuplicateKeyException e) {
                throw duplicateSlug(changed.slug());
            }
            String action = before.status() == changed.status()
                    ? "tenant.update"
                    : changed.status() == TenantStatus.SUSPENDED ? "tenant.suspend" : "tenant.activate";
            audit.record(AuditEvent.success(changed.tenantId(), AuditEvent.Actor.of(caller), action, "tenant", id)
                    .withDetail("before", changed(before, changed, true))
                    .withDetail("after", changed(before, changed, false)));
            return changed;
        });
        events.publishEvent(new TenantChanged(after.tenantId()));
        return after;
    }

    private void insertOrConflict(Tenant tenant) {
        try {
            tenants.insert(tenant);
        } catch (DuplicateKeyException e) {
            throw duplicateSlug(tenant.slug());
        }
    }

    /** The fields that differ, from one side of the change. */
    private static Map<String, Object> changed(Tenant before, Tenant after, boolean fromBefore) {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "name", before.name(), after.name(), fromBefore);
        put(out, "slug", before.slug(), after.slug(), fromBefore);
        put(out, "status", before.status().value(), after.status().value(), fromBefore);
        put(out, "max_devices", before.maxDevices(), after.maxDevices(), fromBefore);
        put(out, "max_users", before.maxUsers(), after.maxUsers(), fromBefore);
        put(
                out,
                "max_telemetry_points_per_day",
                before.maxTelemetryPointsPerDay(),
                after.maxTelemetryPointsPerDay(),
                fromBefore);
        put(out, "max_retention_days", before.maxRetentionDays(), after.maxRetentionDays(), fromBefore);
        put(out, "max_messages_per_second", before.maxMessagesPerSecond(), after.maxMessagesPerSecond(), fromBefore);
        return out;
    }

    private static void put(Map<String, Object> out, String key, Object before, Object after, boolean fromBefore) {
        if (!before.equals(after)) {
            out.put(key, fromBefore ? before : after);
        }
    }

    private static ProblemException duplicateSlug(String slug) {
        return ProblemException.conflict("slug '" + slug + "' is already taken");
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    private OffsetDateTime now() {
        return Times.now(clock);
    }
}

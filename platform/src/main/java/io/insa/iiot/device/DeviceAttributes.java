package io.insa.iiot.device;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * A device's attributes (SPEC 4.3): the client attributes devices report, the shared and server
 * attributes users and integrations set; what a device may read of them (client and shared, never
 * server). A change of shared attributes is announced after it committed ({@link SharedAttributesChanged}).
 */
@Service
public class DeviceAttributes {

    /** What one change through the API may carry. */
    static final int MAX_KEYS = 1_000;

    static final int MAX_KEY_LENGTH = 255;

    /** The attributes a device reads: JSON text per key, client and shared. */
    public record Readable(Map<String, String> client, Map<String, String> shared) {}

    private final DeviceRepository devices;
    private final AttributeRepository attributes;
    private final DevicePresence presence;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    DeviceAttributes(
            DeviceRepository devices,
            AttributeRepository attributes,
            DevicePresence presence,
            TenantTransactions transactions,
            AuditLog audit,
            ApplicationEventPublisher events,
            Clock clock) {
        this.devices = devices;
        this.attributes = attributes;
        this.presence = presence;
        this.transactions = transactions;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Stores the client attributes devices reported, every tenant's in one transaction; returns the
     * devices that were deleted meanwhile, for which nothing was stored.
     */
    public Set<UUID> storeReported(Map<TenantId, List<ReportedAttributes>> reports) {
        Set<UUID> gone = new HashSet<>();
        transactions.inEachTenant(reports.keySet(), tenant -> {
            List<ReportedAttributes> ofTenant = reports.get(tenant);
            Set<UUID> existing = presence.existingForWrite(
                    tenant, ofTenant.stream().map(r -> r.device().deviceId()).toList());
            Map<UUID, Instant> seen = new TreeMap<>();
            for (ReportedAttributes report : ofTenant) {
                UUID id = report.device().deviceId();
                if (!existing.contains(id)) {
                    gone.add(id);
                    continue;
                }
                seen.merge(id, report.at(), (a, b) -> a.isAfter(b) ? a : b);
                attributes.upsert(
                        tenant.value(),
                        id,
                        AttributeScope.CLIENT,
                        List.copyOf(report.jsonValues().keySet()),
                        List.copyOf(report.jsonValues().values()),
                        OffsetDateTime.ofInstant(report.at(), ZoneOffset.UTC));
            }
            presence.recordSeen(tenant, seen);
        });
        return gone;
    }

    /**
     * What the device asked for, as ThingsBoard's attribute request has it: the named client and
     * shared keys; with no keys named at all, every client and shared attribute. A scope none of whose
     * keys was named is left out (null).
     */
    public Readable forDevice(DeviceIdentity device, Set<String> clientKeys, Set<String> sharedKeys) {
        boolean all = clientKeys.isEmpty() && sharedKeys.isEmpty();
        List<AttributeScope> scopes = new ArrayList<>();
        if (all || !clientKeys.isEmpty()) {
            scopes.add(AttributeScope.CLIENT);
        }
        if (all || !sharedKeys.isEmpty()) {
            scopes.add(AttributeScope.SHARED);
        }
        Set<String> named = new HashSet<>(clientKeys);
        named.addAll(sharedKeys);
        // one query for both scopes; a key named for one scope only is dropped from the other below
        Map<AttributeScope, Map<String, String>> found = transactions
                .inTenant(
                        device.tenantId(),
                        () -> attributes.read(List.of(device.deviceId()), scopes, all ? null : named))
                .getOrDefault(device.deviceId(), Map.of());
        return new Readable(
                scopes.contains(AttributeScope.CLIENT)
                        ? only(found.getOrDefault(AttributeScope.CLIENT, Map.of()), all ? null : clientKeys)
                        : null,
                scopes.contains(AttributeScope.SHARED)
                        ? only(found.getOrDefault(AttributeScope.SHARED, Map.of()), all ? null : sharedKeys)
                        : null);
    }

    private static Map<String, String> only(Map<String, String> values, Set<String> keys) {
        if (keys == null) {
            return values;
        }
        Map<String, String> kept = new LinkedHashMap<>(values);
        kept.keySet().retainAll(keys);
        return kept;
    }

    /** The device's attributes in the given scopes (every key when {@code keys} is null), for the API. */
    Map<AttributeScope, Map<String, String>> read(
            TenantId tenant, UUID deviceId, Set<AttributeScope> scopes, Set<String> keys) {
        return transactions.inTenant(tenant, () -> {
            if (devices.find(deviceId).isEmpty()) {
                throw ProblemException.notFound("device " + deviceId);
            }
            return attributes.read(List.of(deviceId), scopes, keys).getOrDefault(deviceId, Map.of());
        });
    }

    /**
     * Sets shared or server attributes as a JSON merge patch does: a key with JSON text is set, a key
     * with null is removed. Returns the scope's attributes after the change.
     */
    Map<String, String> change(
            Caller caller, TenantId tenant, UUID deviceId, AttributeScope scope, Map<String, String> patch) {
        if (scope == AttributeScope.CLIENT) {
            throw ProblemException.badRequest("scope", "client attributes are the device's own: set shared or server");
        }
        if (patch.isEmpty() || patch.size() > MAX_KEYS) {
            throw ProblemException.badRequest("body", "must name 1 to " + MAX_KEYS + " attributes");
        }
        for (String key : patch.keySet()) {
            if (!validKey(key)) {
                throw ProblemException.badRequest(
                        "body", "attribute names have 1 to " + MAX_KEY_LENGTH + " printable characters");
            }
        }
        Map<String, String> set = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        patch.forEach((key, value) -> {
            if (value == null) {
                removed.add(key);
            } else {
                set.put(key, value);
            }
        });
        return transactions.inTenant(tenant, () -> {
            DeviceRepository.Row device =
                    devices.find(deviceId).orElseThrow(() -> ProblemException.notFound("device " + deviceId));
            if (!set.isEmpty()) {
                attributes.upsert(
                        tenant.value(),
                        deviceId,
                        scope,
                        List.copyOf(set.keySet()),
                        List.copyOf(set.values()),
                        Times.now(clock));
            }
            List<String> deleted = removed.isEmpty() ? List.of() : attributes.delete(deviceId, scope, removed);
            audit.record(
                    AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "device.attributes", "device", deviceId)
                            .withDetail("scope", scope.key())
                            .withDetail("set", set.size())
                            .withDetail("removed", deleted.size()));
            if (scope == AttributeScope.SHARED && (!set.isEmpty() || !deleted.isEmpty())) {
                SharedAttributesChanged change = new SharedAttributesChanged(
                        tenant,
                        deviceId,
                        device.name(),
                        device.gatewayId(),
                        java.util.Collections.unmodifiableMap(set),
                        List.copyOf(deleted));
                TenantTransactions.afterCommit(() -> events.publishEvent(change));
            }
            return attributes
                    .read(List.of(deviceId), EnumSet.of(scope), null)
                    .getOrDefault(deviceId, Map.of())
                    .getOrDefault(scope, Map.of());
        });
    }

    static boolean validKey(String key) {
        return !key.isEmpty()
                && key.length() <= MAX_KEY_LENGTH
                && key.chars().noneMatch(c -> Character.isISOControl(c));
    }
}

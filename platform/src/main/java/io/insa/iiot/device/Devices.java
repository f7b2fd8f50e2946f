package io.insa.iiot.device;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceAccessChanged.Change;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The device registry of a tenant: creates, lists, shows, changes, deletes and counts its devices.
 * Their credentials are {@link DeviceCredentials}', their gateways {@link Gateways}', what they
 * report {@link DevicePresence}' and {@link DeviceAttributes}'.
 */
@Service
public class Devices {

    /** A created device with its access token, which is shown this once. */
    public record Provisioned(Device device, String accessToken) {}

    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
    private static final String DEFAULT_TYPE = "default";

    private final DeviceRepository devices;
    private final AttributeRepository attributes;
    private final Tenants tenants;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration onlineWindow;
    private final DeviceCredentials credentials;
    private final DeviceAccessChanges accessChanges;

    Devices(
            DeviceRepository devices,
            AttributeRepository attributes,
            Tenants tenants,
            TenantTransactions transactions,
            AuditLog audit,
            ApplicationEventPublisher events,
            JsonMapper json,
            Clock clock,
            DeviceCredentials credentials,
            DeviceAccessChanges accessChanges,
            @Value("${insa.device.online-window}") Duration onlineWindow) {
        this.devices = devices;
        this.attributes = attributes;
        this.tenants = tenants;
        this.transactions = transactions;
        this.audit = audit;
        this.events = events;
        this.json = json;
        this.clock = clock;
        this.credentials = credentials;
        this.accessChanges = accessChanges;
        this.onlineWindow = onlineWindow;
    }

    Provisioned create(Caller caller, TenantId tenant, DeviceRequests.Create request) {
        return createAll(caller, tenant, List.of(request)).getFirst();
    }

    List<Provisioned> createAll(Caller caller, TenantId tenant, List<DeviceRequests.Create> requests) {
        return createAll(Actor.of(caller), tenant, requests, null);
    }

    /**
     * Creates all devices or none: names must be new, and the tenant's max_devices must hold them.
     * {@code gatewayId} is the gateway that creates them, or null.
     */
    List<Provisioned> createAll(Actor actor, TenantId tenant, List<DeviceRequests.Create> requests, UUID gatewayId) {
        OffsetDateTime now = Times.now(clock);
        List<DeviceRepository.NewDevice> rows = new ArrayList<>(requests.size());
        List<Provisioned> out = new ArrayList<>(requests.size());
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (DeviceRequests.Create r : requests) {
            String name = r.name().strip();
            if (seen.merge(name, 1, Integer::sum) > 1) {
                throw ProblemException.conflict("device name '" + name + "' appears more than once in the request");
            }
            String token = Secrets.newToken();
            UUID id = Ids.newId();
            String type = r.type() == null ? DEFAULT_TYPE : r.type().strip();
            Map<String, String> labels = r.labels() == null ? Map.of() : r.labels();
            DeviceRequests.MqttCredentials mqtt = r.mqtt();
            rows.add(new DeviceRepository.NewDevice(
                    id,
                    tenant.value(),
                    name,
                    type,
                    json.writeValueAsString(labels),
                    Secrets.sha256Hex(token),
                    mqtt == null ? null : mqtt.clientId(),
                    mqtt == null ? null : mqtt.username(),
                    mqtt == null ? null : credentials.hashMqttPassword(mqtt.password()),
                    gatewayId,
                    now));
            out.add(new Provisioned(
                    new Device(id, name, type, labels, Map.of(), "offline", false, null, gatewayId, now), token));
        }
        transactions.inTenant(tenant, () -> {
            Tenant locked = tenants.lockForQuotaCheck(tenant);
            long existing = devices.count();
            if (existing + rows.size() > locked.maxDevices()) {
                throw ProblemException.quotaExceeded("device quota exceeded: max_devices is " + locked.maxDevices()
                        + ", " + existing + " exist and " + rows.size() + " more were requested");
            }
            List<String> taken = devices.existingNames(List.copyOf(seen.keySet()));
            if (!taken.isEmpty()) {
                throw ProblemException.conflict("device names already in use: " + String.join(", ", taken));
            }
            try {
                devices.insertAll(rows);
            } catch (DuplicateKeyException e) {
                throw ProblemException.conflict(
                        e.getMessage() != null && e.getMessage().contains("mqtt_username")
                                ? "an MQTT username of the request is already in use"
                                : "a device name of the request is already in use");
            }
            AuditEvent event = AuditEvent.success(
                    tenant,
                    actor,
                    "device.create",
                    "device",
                    rows.size() == 1 ? rows.getFirst().id() : null);
            audit.record(
                    rows.size() == 1
                            ? event.withDetail("name", rows.getFirst().name())
                            : event.withDetail("count", rows.size()));
        });
        return out;
    }

    Page<Device> list(TenantId tenant, DeviceRepository.Filter filter, PageRequest page) {
        return transactions.inTenant(tenant, () -> {
            List<DeviceRepository.Row> rows = devices.page(filter, page.size(), page.offset());
            return page.page(views(rows), devices.count(filter));
        });
    }

    Device get(TenantId tenant, UUID id) {
        return transactions
                .inTenant(
                        tenant,
                        () -> devices.find(id).map(r -> views(List.of(r)).getFirst()))
                .orElseThrow(() -> ProblemException.notFound("device " + id));
    }

    /** Every device of the tenant as the pipeline knows it (id, name, type): for rules watching a fleet. */
    public List<DeviceIdentity> identities(TenantId tenant) {
        return transactions.inTenant(tenant, () -> devices.identities(tenant));
    }

    /** The device as the pipeline knows it, if it exists in the tenant. */
    public Optional<DeviceIdentity> identity(TenantId tenant, UUID id) {
        return transactions.inTenant(
                tenant, () -> devices.find(id).map(r -> new DeviceIdentity(r.id(), tenant, r.name(), r.type())));
    }

    /** The tenant's device of that name, if there is one. */
    public Optional<DeviceIdentity> named(TenantId tenant, String name) {
        return transactions
                .inTenant(tenant, () -> devices.findByName(name))
                .map(row -> new DeviceIdentity(row.id(), tenant, row.name(), row.type()));
    }

    /** Whether the device exists in the tenant: for features that address a device by id. */
    public boolean exists(TenantId tenant, UUID id) {
        return transactions.inTenant(tenant, () -> devices.find(id).isPresent());
    }

    Device update(Caller caller, TenantId tenant, UUID id, DeviceRequests.Update request) {
        String name = request.name() == null ? null : request.name().strip();
        transactions.inTenant(tenant, () -> {
            boolean updated;
            try {
                updated = devices.update(
                        id,
                        name,
                        request.type(),
                        request.labels() == null ? null : json.writeValueAsString(request.labels()),
                        Times.now(clock));
            } catch (DuplicateKeyException e) {
                throw ProblemException.conflict("device name '" + name + "' is already in use");
            }
            if (!updated) {
                throw ProblemException.notFound("device " + id);
            }
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.update", "device", id));
        });
        return get(tenant, id);
    }

    /**
     * Deletes the device; once committed, its sessions end on every node and nothing more is written
     * for it (the ingest writer checks, under the same barrier, that its devices still exist).
     */
    void delete(Caller caller, TenantId tenant, UUID id) {
        transactions.inTenant(tenant, () -> {
            devices.lockAgainstWrites(tenant.value());
            if (!devices.delete(id)) {
                throw ProblemException.notFound("device " + id);
            }
            accessChanges.announce(new DeviceAccessChanged(tenant, id, Change.DELETED));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.delete", "device", id));
            // stored with the deletion (the event publication registry); its listeners run after the
            // commit, and one that fails is retried without touching the deletion or its answer
            events.publishEvent(new DeviceDeleted(tenant, id));
        });
    }

    long count(TenantId tenant) {
        return transactions.inTenant(tenant, () -> devices.count());
    }

    long countOnline(TenantId tenant) {
        return transactions.inTenant(
                tenant, () -> devices.countOnline(Times.now(clock).minus(onlineWindow)));
    }

    OffsetDateTime onlineSince() {
        return Times.now(clock).minus(onlineWindow);
    }

    private List<Device> views(List<DeviceRepository.Row> rows) {
        Map<UUID, Map<AttributeScope, Map<String, String>>> attributes = this.attributes.read(
                rows.stream().map(DeviceRepository.Row::id).toList(), List.of(AttributeScope.CLIENT), null);
        OffsetDateTime since = onlineSince();
        return rows.stream()
                .map(r -> new Device(
                        r.id(),
                        r.name(),
                        r.type(),
                        json.readValue(r.labels(), LABELS),
                        parseValues(attributes
                                .getOrDefault(r.id(), Map.of())
                                .getOrDefault(AttributeScope.CLIENT, Map.of())),
                        r.connected()
                                        || (r.lastSeenAt() != null
                                                && !r.lastSeenAt().isBefore(since))
                                ? "online"
                                : "offline",
                        r.connected(),
                        r.lastSeenAt(),
                        r.gatewayId(),
                        r.createdAt()))
                .toList();
    }

    private Map<String, Object> parseValues(Map<String, String> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, json.readValue(v, Object.class)));
        return out;
    }
}

package io.insa.iiot.device;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The device registry of a tenant: devices, their credentials (access token, MQTT basic) and
 * attributes; device authentication for the transports.
 */
@Service
public class Devices implements DevicePresence {

    /** A created device with its access token, which is shown this once. */
    public record Provisioned(Device device, String accessToken) {}

    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
    private static final String DEFAULT_TYPE = "default";
    /** The type of devices that may use the MQTT gateway API and own sub-devices. */
    public static final String GATEWAY_TYPE = "gateway";

    private final DeviceRepository devices;
    private final Tenants tenants;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration onlineWindow;
    private final BCryptPasswordEncoder mqttPasswords = new BCryptPasswordEncoder(10);
    /**
     * last_seen_at is written at most every {@value #LAST_SEEN_RESOLUTION_MICROS} microseconds per
     * device: at thousands of messages a second, a row update per message would cost more than the
     * telemetry itself, and presence needs no finer grain than the online window.
     */
    static final long LAST_SEEN_RESOLUTION_MICROS = 30_000_000;

    private final Cache<UUID, Long> lastSeenWritten = Caffeine.newBuilder()
            .maximumSize(2_000_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();

    private final DeviceAuthCache byToken;
    private final DeviceAccessChanges accessChanges;

    Devices(
            DeviceRepository devices,
            Tenants tenants,
            TenantTransactions transactions,
            AuditLog audit,
            ApplicationEventPublisher events,
            JsonMapper json,
            Clock clock,
            DeviceAuthCache byToken,
            DeviceAccessChanges accessChanges,
            @Value("${insa.device.online-window}") Duration onlineWindow) {
        this.devices = devices;
        this.tenants = tenants;
        this.transactions = transactions;
        this.audit = audit;
        this.events = events;
        this.json = json;
        this.clock = clock;
        this.byToken = byToken;
        this.accessChanges = accessChanges;
        this.onlineWindow = onlineWindow;
    }

    // ------------------------------------------------------------------ authentication

    /** The device an access token belongs to; unknown, rotated and deleted tokens give none. */
    public Optional<DeviceIdentity> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        return byToken.get(Secrets.sha256Hex(token), hash -> transactions.global(() -> devices.findByTokenHash(hash)));
    }

    /**
     * MQTT CONNECT credentials: client id + username + password of the device's MQTT basic
     * credentials, or, without a password, the access token as the username.
     */
    public Optional<DeviceIdentity> authenticateMqtt(String clientId, String username, String password) {
        if (username == null || username.isEmpty()) {
            return Optional.empty();
        }
        if (password == null || password.isEmpty()) {
            return authenticate(username);
        }
        Optional<DeviceRepository.MqttCredentials> credentials =
                transactions.global(() -> devices.findByMqttUsername(username));
        return credentials
                .filter(c -> c.clientId() == null || c.clientId().equals(clientId))
                .filter(c -> mqttPasswords.matches(password, c.passwordHash()))
                .map(DeviceRepository.MqttCredentials::device);
    }

    /** Records that a device's transport connection opened or closed. */
    public void connected(DeviceIdentity device, boolean connected) {
        transactions.inTenant(
                device.tenantId(), () -> devices.setConnected(device.deviceId(), connected, Times.now(clock)));
    }

    // ------------------------------------------------------------------ registry

    Provisioned create(Caller caller, TenantId tenant, DeviceRequests.Create request) {
        return createAll(caller, tenant, List.of(request)).getFirst();
    }

    List<Provisioned> createAll(Caller caller, TenantId tenant, List<DeviceRequests.Create> requests) {
        return createAll(Actor.of(caller), tenant, requests, null);
    }

    /**
     * The sub-device a gateway reports for, by name in the gateway's tenant: one it created (on first
     * sight, within the tenant's max_devices, else a 422 problem) or that was assigned to it. Any other
     * device of the tenant is refused with a 403 problem: a gateway never writes as a device it does
     * not own.
     */
    public DeviceIdentity gatewayDevice(DeviceIdentity gateway, String name, String type) {
        Actor actor = new Actor("system", gateway.deviceId().toString(), "gateway " + gateway.name());
        return findOrCreate(
                gateway.tenantId(),
                name,
                row -> ownedBy(gateway, row),
                () -> createAll(
                                actor,
                                gateway.tenantId(),
                                List.of(new DeviceRequests.Create(name, type, Map.of("gateway", gateway.name()), null)),
                                gateway.deviceId())
                        .getFirst()
                        .device());
    }

    /**
     * The tenant's device of that name, created on first sight within the tenant's max_devices (else a
     * 422 problem): for connectors that name the devices they feed (OPC UA mappings).
     */
    public DeviceIdentity namedDevice(TenantId tenant, String name, String type, Actor actor) {
        return findOrCreate(
                tenant,
                name,
                row -> new DeviceIdentity(row.id(), tenant, row.name(), row.type()),
                () -> createAll(actor, tenant, List.of(new DeviceRequests.Create(name, type, Map.of(), null)), null)
                        .getFirst()
                        .device());
    }

    /** The tenant's device of that name, if there is one. */
    public Optional<DeviceIdentity> named(TenantId tenant, String name) {
        return transactions
                .inTenant(tenant, () -> devices.findByName(name))
                .map(row -> new DeviceIdentity(row.id(), tenant, row.name(), row.type()));
    }

    /** The device of that name as {@code found} sees it, else the one {@code create} makes (or a racer made). */
    private DeviceIdentity findOrCreate(
            TenantId tenant,
            String name,
            java.util.function.Function<DeviceRepository.Row, DeviceIdentity> found,
            java.util.function.Supplier<Device> create) {
        Optional<DeviceRepository.Row> existing = transactions.inTenant(tenant, () -> devices.findByName(name));
        if (existing.isPresent()) {
            return found.apply(existing.get());
        }
        try {
            Device created = create.get();
            return new DeviceIdentity(created.id(), tenant, created.name(), created.type());
        } catch (ProblemException e) {
            if (e.status() == 409) { // created meanwhile by another connection
                return transactions
                        .inTenant(tenant, () -> devices.findByName(name))
                        .map(found)
                        .orElseThrow(() -> e);
            }
            throw e;
        }
    }

    private static DeviceIdentity ownedBy(DeviceIdentity gateway, DeviceRepository.Row device) {
        if (!gateway.deviceId().equals(device.gatewayId())) {
            throw ProblemException.forbidden("device '" + device.name() + "' is not a sub-device of gateway '"
                    + gateway.name() + "'; an operator can assign it to the gateway");
        }
        return new DeviceIdentity(device.id(), gateway.tenantId(), device.name(), device.type());
    }

    /**
     * Creates all devices or none: names must be new, and the tenant's max_devices must hold them.
     * {@code gatewayId} is the gateway that creates them, or null.
     */
    private List<Provisioned> createAll(
            Actor actor, TenantId tenant, List<DeviceRequests.Create> requests, UUID gatewayId) {
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
                    mqtt == null ? null : mqttPasswords.encode(mqtt.password()),
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

    /** Replaces the access token; the old one stops working at once, and sessions opened with it end. */
    String rotateToken(Caller caller, TenantId tenant, UUID id) {
        String token = Secrets.newToken();
        transactions.inTenant(tenant, () -> {
            devices.tokenHash(id).orElseThrow(() -> ProblemException.notFound("device " + id));
            devices.rotateToken(id, Secrets.sha256Hex(token), Times.now(clock));
            accessChanges.announce(new DeviceAccessChanged(tenant, id, Change.CREDENTIALS));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.credentials_rotate", "device", id)
                    .withDetail("credential", "access_token"));
        });
        return token;
    }

    void setMqttCredentials(Caller caller, TenantId tenant, UUID id, DeviceRequests.MqttCredentials mqtt) {
        transactions.inTenant(tenant, () -> {
            devices.tokenHash(id).orElseThrow(() -> ProblemException.notFound("device " + id));
            try {
                devices.setMqttCredentials(
                        id, mqtt.clientId(), mqtt.username(), mqttPasswords.encode(mqtt.password()), Times.now(clock));
            } catch (DuplicateKeyException e) {
                throw ProblemException.conflict("MQTT username '" + mqtt.username() + "' is already in use");
            }
            accessChanges.announce(new DeviceAccessChanged(tenant, id, Change.CREDENTIALS));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.credentials_rotate", "device", id)
                    .withDetail("credential", "mqtt_basic"));
        });
    }

    /**
     * Assigns the device to a gateway of the tenant, which may then write for it, or to none
     * ({@code gatewayId} null); a gateway that held it loses it at once, on every node.
     */
    Device assignGateway(Caller caller, TenantId tenant, UUID id, UUID gatewayId) {
        transactions.inTenant(tenant, () -> {
            // find() sees this tenant's devices only: a gateway of another tenant is not found
            if (gatewayId != null
                    && devices.find(gatewayId)
                            .filter(g -> g.type().equals(GATEWAY_TYPE) && !g.id().equals(id))
                            .isEmpty()) {
                throw ProblemException.badRequest(
                        "gateway_id", "must be another device of type '" + GATEWAY_TYPE + "' of this tenant");
            }
            if (!devices.assignGateway(id, gatewayId, Times.now(clock))) {
                throw ProblemException.notFound("device " + id);
            }
            accessChanges.announce(new DeviceAccessChanged(tenant, id, Change.GATEWAY));
            audit.record(AuditEvent.success(tenant, Actor.of(caller), "device.update", "device", id)
                    .withDetail("gateway_id", gatewayId == null ? null : gatewayId.toString()));
        });
        return get(tenant, id);
    }

    // ------------------------------------------------------------------ what devices report

    @Override
    public Set<UUID> existingForWrite(TenantId tenant, Collection<UUID> ids) {
        return transactions.inTenant(
                tenant, () -> new HashSet<>(devices.existingForWrite(tenant.value(), ids.toArray(UUID[]::new))));
    }

    /**
     * Stores the client attributes devices reported, every tenant's in one transaction; returns the
     * devices that were deleted meanwhile, for which nothing was stored.
     */
    public Set<UUID> storeReported(Map<TenantId, List<ReportedAttributes>> reports) {
        Set<UUID> gone = new HashSet<>();
        transactions.inEachTenant(reports.keySet(), tenant -> {
            List<ReportedAttributes> ofTenant = reports.get(tenant);
            Set<UUID> existing = existingForWrite(
                    tenant, ofTenant.stream().map(r -> r.device().deviceId()).toList());
            Map<UUID, Instant> seen = new TreeMap<>();
            for (ReportedAttributes report : ofTenant) {
                UUID id = report.device().deviceId();
                if (!existing.contains(id)) {
                    gone.add(id);
                    continue;
                }
                seen.merge(id, report.at(), (a, b) -> a.isAfter(b) ? a : b);
                devices.upsertAttributes(
                        tenant.value(),
                        id,
                        List.copyOf(report.jsonValues().keySet()),
                        List.copyOf(report.jsonValues().values()),
                        OffsetDateTime.ofInstant(report.at(), ZoneOffset.UTC));
            }
            recordSeen(tenant, seen);
        });
        return gone;
    }

    /** At most one write per device per resolution: under load most messages move nothing. */
    @Override
    public void recordSeen(TenantId tenant, Map<UUID, Instant> seen) {
        // in id order, so that concurrent batches update device rows in the same order
        List<UUID> ids = new ArrayList<>(seen.size());
        List<Long> micros = new ArrayList<>(seen.size());
        new TreeMap<>(seen).forEach((id, at) -> {
            long micro = at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
            Long written = lastSeenWritten.getIfPresent(id);
            if (written == null || micro - written >= LAST_SEEN_RESOLUTION_MICROS) {
                ids.add(id);
                micros.add(micro);
                lastSeenWritten.put(id, micro);
            }
        });
        if (!ids.isEmpty()) {
            long[] values = micros.stream().mapToLong(Long::longValue).toArray();
            transactions.inTenant(tenant, () -> devices.recordSeen(ids.toArray(UUID[]::new), values));
        }
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
        Map<UUID, Map<String, String>> attributes =
                devices.attributes(rows.stream().map(DeviceRepository.Row::id).toList());
        OffsetDateTime since = onlineSince();
        return rows.stream()
                .map(r -> new Device(
                        r.id(),
                        r.name(),
                        r.type(),
                        json.readValue(r.labels(), LABELS),
                        parseValues(attributes.getOrDefault(r.id(), Map.of())),
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

package io.insa.iiot.device;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditEvent.Actor;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.device.DeviceAccessChanged.Change;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.stereotype.Service;

/**
 * Which devices a gateway writes for: the sub-devices it creates on first sight or an operator assigns
 * to it; likewise the devices a connector or a CA names, created on first sight.
 */
@Service
public class Gateways {

    /** The type of devices that may use the MQTT gateway API and own sub-devices. */
    public static final String GATEWAY_TYPE = "gateway";

    private final DeviceRepository devices;
    private final Devices registry;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final Clock clock;
    private final DeviceAccessChanges accessChanges;

    Gateways(
            DeviceRepository devices,
            Devices registry,
            TenantTransactions transactions,
            AuditLog audit,
            Clock clock,
            DeviceAccessChanges accessChanges) {
        this.devices = devices;
        this.registry = registry;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
        this.accessChanges = accessChanges;
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
                () -> registry.createAll(
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
                () -> registry.createAll(
                                actor, tenant, List.of(new DeviceRequests.Create(name, type, Map.of(), null)), null)
                        .getFirst()
                        .device());
    }

    /** The device of that name as {@code found} sees it, else the one {@code create} makes (or a racer made). */
    private DeviceIdentity findOrCreate(
            TenantId tenant,
            String name,
            Function<DeviceRepository.Row, DeviceIdentity> found,
            Supplier<Device> create) {
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
        return registry.get(tenant, id);
    }
}

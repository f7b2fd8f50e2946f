package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Gateways;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The devices a connector's mappings name: each created on its first value within the tenant's max_devices (type
 * {@value #DEVICE_TYPE}, the connector as the audit's actor), and registered for write commands until the session
 * closes.
 */
final class MappedDevices {

    static final String DEVICE_TYPE = "opcua";

    private final OpcUaConnector connector;
    private final Gateways devices;
    private final CommandChannels channels;
    private final NodeWrites writes;
    private final Map<String, DeviceIdentity> byName = new ConcurrentHashMap<>();
    private final List<CommandChannels.Registration> registrations = new ArrayList<>();
    private boolean closed;

    MappedDevices(OpcUaConnector connector, Gateways devices, CommandChannels channels, NodeWrites writes) {
        this.connector = connector;
        this.devices = devices;
        this.channels = channels;
        this.writes = writes;
    }

    /** The mapped device of this name, created if it does not exist yet. */
    DeviceIdentity device(String name) {
        DeviceIdentity known = byName.get(name);
        if (known != null) {
            return known;
        }
        DeviceIdentity device = devices.namedDevice(
                connector.tenant(),
                name,
                DEVICE_TYPE,
                new AuditEvent.Actor("system", connector.id().toString(), "OPC UA connector " + connector.name()));
        byName.put(name, device);
        synchronized (this) {
            if (!closed) {
                registrations.add(channels.register(device.deviceId(), command -> writes.write(device, command)));
            }
        }
        return device;
    }

    /** Takes no more write commands for the devices; a device found later is not registered. */
    synchronized void close() {
        closed = true;
        registrations.forEach(CommandChannels.Registration::close);
        registrations.clear();
    }
}

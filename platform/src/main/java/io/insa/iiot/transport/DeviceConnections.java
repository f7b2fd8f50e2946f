package io.insa.iiot.transport;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.DevicePresence;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.springframework.stereotype.Component;

/**
 * Which devices hold a transport connection, across all transports: a device is "connected" from its
 * first open connection to the close of its last, and only those transitions reach the database.
 */
@Component
class DeviceConnections {

    private final DevicePresence devices;
    private final Map<UUID, Integer> open = new ConcurrentHashMap<>();

    DeviceConnections(DevicePresence devices) {
        this.devices = devices;
    }

    /** Records an opened connection; the database write runs on {@code executor}. */
    void opened(DeviceIdentity device, Executor executor) {
        if (open.merge(device.deviceId(), 1, Integer::sum) == 1) {
            executor.execute(() -> devices.connected(device, true));
        }
    }

    void closed(DeviceIdentity device, Executor executor) {
        Integer left = open.computeIfPresent(device.deviceId(), (id, n) -> n == 1 ? null : n - 1);
        if (left == null) {
            executor.execute(() -> devices.connected(device, false));
        }
    }
}

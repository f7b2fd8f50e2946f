package io.insa.iiot.analytics;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.DeviceScope;
import java.time.Instant;
import java.util.List;

/**
 * Which series of a tenant are scored: switched on, for the devices of a scope, for the keys listed
 * (none listed: every numeric key).
 */
public record AnomalySettings(boolean enabled, DeviceScope scope, List<String> keys, Instant updatedAt) {

    static final AnomalySettings OFF = new AnomalySettings(false, new DeviceScope.All(), List.of(), null);

    boolean scores(DeviceIdentity device, String key) {
        return enabled
                && !AnomalyScores.isScoreSeries(key)
                && (keys.isEmpty() || keys.contains(key))
                && scope.covers(device);
    }
}

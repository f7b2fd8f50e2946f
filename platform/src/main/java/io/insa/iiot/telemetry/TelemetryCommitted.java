package io.insa.iiot.telemetry;

import io.insa.iiot.device.DeviceIdentity;
import java.util.List;

/**
 * Points that have just been committed, published after each batch's commit (what rules and anomaly
 * scoring evaluate, what live views show). Listeners run on one hand-off thread, in commit order: they
 * hand the points on and return, as a slow one delays every other.
 */
public record TelemetryCommitted(List<DevicePoints> messages) {

    /** One device message's points. */
    public record DevicePoints(DeviceIdentity device, List<Point> points) {}
}

package io.insa.iiot.telemetry;

import io.insa.iiot.device.DeviceIdentity;
import java.util.List;

/**
 * Points that have just been committed, published by the ingest writer after each batch's commit
 * (what rules evaluate). Listeners run on the writer's thread: they hand the points on and return.
 */
public record TelemetryCommitted(List<DevicePoints> messages) {

    /** One device message's points. */
    public record DevicePoints(DeviceIdentity device, List<Point> points) {}
}

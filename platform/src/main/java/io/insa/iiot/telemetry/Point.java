package io.insa.iiot.telemetry;

import java.time.Instant;

/** One value of one key at one time, as a device reported it. */
public record Point(String key, Instant ts, TelemetryValue value) {}

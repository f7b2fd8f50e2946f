package io.insa.iiot.device;

import java.time.Instant;
import java.util.Map;

/** Client attributes a device reported in one message: JSON text per key, as received at {@code at}. */
public record ReportedAttributes(DeviceIdentity device, Map<String, String> jsonValues, Instant at) {}

package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.util.UUID;

/** Who an authenticated device is: what every transport hands to the ingest pipeline. */
public record DeviceIdentity(UUID deviceId, TenantId tenantId, String name, String type) {}

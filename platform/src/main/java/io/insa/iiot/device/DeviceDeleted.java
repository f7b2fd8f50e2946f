package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.util.UUID;

/** Published after a device was deleted, for features that keep data about it. */
public record DeviceDeleted(TenantId tenantId, UUID deviceId) {}

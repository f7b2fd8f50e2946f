package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.util.UUID;

/**
 * A device was deleted: for features that keep data about it. Published in the deletion's transaction
 * through the event publication registry, so its listeners run after the commit, each on its own, and
 * one that fails gets it again later ({@code system.FailedEventRetries}); listeners are idempotent.
 */
public record DeviceDeleted(TenantId tenantId, UUID deviceId) {}

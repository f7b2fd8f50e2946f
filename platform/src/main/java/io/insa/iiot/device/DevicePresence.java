package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the telemetry writer asks of devices inside its transaction of a tenant: which devices still
 * exist, so that nothing is written for one whose deletion committed, and that they were seen.
 */
public interface DevicePresence {

    /**
     * The devices among {@code ids} that still exist. A deletion in progress is waited for, and one that
     * starts later waits for the caller's transaction.
     */
    Set<UUID> existingForWrite(TenantId tenant, Collection<UUID> ids);

    /** Moves the devices' last_seen_at forward to the given times. */
    void recordSeen(TenantId tenant, Map<UUID, Instant> seen);
}

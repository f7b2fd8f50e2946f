package io.insa.iiot.device;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Whether devices are there: their transport connections, when they were last seen, and, for the
 * telemetry writer inside its transaction of a tenant, which of them still exist, so that nothing is
 * written for one whose deletion committed.
 */
@Service
public class DevicePresence {

    /**
     * last_seen_at is written at most every {@value #LAST_SEEN_RESOLUTION_MICROS} microseconds per
     * device: at thousands of messages a second, a row update per message would cost more than the
     * telemetry itself, and presence needs no finer grain than the online window.
     */
    static final long LAST_SEEN_RESOLUTION_MICROS = 30_000_000;

    private final Cache<UUID, Long> lastSeenWritten = Caffeine.newBuilder()
            .maximumSize(2_000_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();

    private final DeviceRepository devices;
    private final TenantTransactions transactions;
    private final Clock clock;

    DevicePresence(DeviceRepository devices, TenantTransactions transactions, Clock clock) {
        this.devices = devices;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Records that a device's transport connection opened or closed. */
    public void connected(DeviceIdentity device, boolean connected) {
        transactions.inTenant(
                device.tenantId(), () -> devices.setConnected(device.deviceId(), connected, Times.now(clock)));
    }

    /**
     * The devices among {@code ids} that still exist. A deletion in progress is waited for, and one that
     * starts later waits for the caller's transaction.
     */
    public Set<UUID> existingForWrite(TenantId tenant, Collection<UUID> ids) {
        return transactions.inTenant(
                tenant, () -> new HashSet<>(devices.existingForWrite(tenant.value(), ids.toArray(UUID[]::new))));
    }

    /**
     * Moves the devices' last_seen_at forward to the given times, at most one write per device per
     * resolution: under load most messages move nothing.
     */
    public void recordSeen(TenantId tenant, Map<UUID, Instant> seen) {
        // in id order, so that concurrent batches update device rows in the same order
        List<UUID> ids = new ArrayList<>(seen.size());
        List<Long> micros = new ArrayList<>(seen.size());
        new TreeMap<>(seen).forEach((id, at) -> {
            long micro = at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
            Long written = lastSeenWritten.getIfPresent(id);
            if (written == null || micro - written >= LAST_SEEN_RESOLUTION_MICROS) {
                ids.add(id);
                micros.add(micro);
                lastSeenWritten.put(id, micro);
            }
        });
        if (!ids.isEmpty()) {
            long[] values = micros.stream().mapToLong(Long::longValue).toArray();
            transactions.inTenant(tenant, () -> devices.recordSeen(ids.toArray(UUID[]::new), values));
        }
    }
}

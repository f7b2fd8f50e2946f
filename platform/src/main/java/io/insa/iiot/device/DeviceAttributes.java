package io.insa.iiot.device;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** The client attributes devices report, stored for ingest as the latest value per key and device. */
@Service
public class DeviceAttributes {

    private final DeviceRepository devices;
    private final DevicePresence presence;
    private final TenantTransactions transactions;

    DeviceAttributes(DeviceRepository devices, DevicePresence presence, TenantTransactions transactions) {
        this.devices = devices;
        this.presence = presence;
        this.transactions = transactions;
    }

    /**
     * Stores the client attributes devices reported, every tenant's in one transaction; returns the
     * devices that were deleted meanwhile, for which nothing was stored.
     */
    public Set<UUID> storeReported(Map<TenantId, List<ReportedAttributes>> reports) {
        Set<UUID> gone = new HashSet<>();
        transactions.inEachTenant(reports.keySet(), tenant -> {
            List<ReportedAttributes> ofTenant = reports.get(tenant);
            Set<UUID> existing = presence.existingForWrite(
                    tenant, ofTenant.stream().map(r -> r.device().deviceId()).toList());
            Map<UUID, Instant> seen = new TreeMap<>();
            for (ReportedAttributes report : ofTenant) {
                UUID id = report.device().deviceId();
                if (!existing.contains(id)) {
                    gone.add(id);
                    continue;
                }
                seen.merge(id, report.at(), (a, b) -> a.isAfter(b) ? a : b);
                devices.upsertAttributes(
                        tenant.value(),
                        id,
                        List.copyOf(report.jsonValues().keySet()),
                        List.copyOf(report.jsonValues().values()),
                        OffsetDateTime.ofInstant(report.at(), ZoneOffset.UTC));
            }
            presence.recordSeen(tenant, seen);
        });
        return gone;
    }
}

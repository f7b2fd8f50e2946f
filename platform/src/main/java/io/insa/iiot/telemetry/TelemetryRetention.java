package io.insa.iiot.telemetry;

import io.insa.iiot.device.DeviceDeleted;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Retention (SPEC 4.3): whole daily partitions go once they are older than every tenant's
 * {@code max_retention_days}; in the partitions that remain, each tenant's rows older than its own
 * retention are deleted.
 */
@Component
class TelemetryRetention {

    private static final Logger log = LoggerFactory.getLogger(TelemetryRetention.class);

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Tenants tenants;
    private final TelemetryPartitions partitions;
    private final Clock clock;

    TelemetryRetention(
            JdbcClient jdbc,
            TenantTransactions transactions,
            Tenants tenants,
            TelemetryPartitions partitions,
            Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.tenants = tenants;
        this.partitions = partitions;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "PT5M", fixedDelayString = "PT6H")
    void run() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<Tenant> all = tenants.all();
        int longest = all.stream().mapToInt(Tenant::maxRetentionDays).max().orElse(0);
        LocalDate dropBefore = today.minusDays(longest);
        int dropped = transactions.global(() -> jdbc.sql("SELECT app_drop_telemetry_partitions_before(?)")
                .param(dropBefore)
                .query(Integer.class)
                .single());
        partitions.forgetBefore(dropBefore);
        long deleted = 0;
        for (Tenant tenant : all) {
            LocalDate cutoff = today.minusDays(tenant.maxRetentionDays());
            if (cutoff.isAfter(dropBefore)) {
                deleted += transactions.inTenant(
                        tenant.tenantId(),
                        () -> jdbc.sql("DELETE FROM telemetry WHERE ts < ?")
                                .param(cutoff.atStartOfDay().atOffset(ZoneOffset.UTC))
                                .update());
            }
        }
        if (dropped > 0 || deleted > 0) {
            log.info(
                    "telemetry retention dropped {} daily partitions before {} and deleted {} rows",
                    dropped,
                    dropBefore,
                    deleted);
        }
    }

    /** A deleted device has no latest values; its history stays until retention removes it. */
    @EventListener
    void deviceDeleted(DeviceDeleted event) {
        transactions.inTenant(
                event.tenantId(),
                () -> jdbc.sql("DELETE FROM telemetry_latest WHERE device_id = ?")
                        .param(event.deviceId())
                        .update());
    }
}

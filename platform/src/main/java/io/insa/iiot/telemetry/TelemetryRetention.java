package io.insa.iiot.telemetry;

import io.insa.iiot.device.DeviceDeleted;
import io.insa.iiot.shared.ClusterDuties;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;

/**
 * Retention (SPEC 4.3): whole daily partitions go once they are older than every tenant's
 * {@code max_retention_days}; in the partitions that remain, each tenant's rows older than its own
 * retention are deleted. Compacted days alike.
 */
@Component
class TelemetryRetention {

    private static final Logger log = LoggerFactory.getLogger(TelemetryRetention.class);

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Tenants tenants;
    private final TelemetryPartitions partitions;
    private final TelemetryMaintenance maintenance;
    private final Clock clock;
    private final ClusterDuties duties;

    TelemetryRetention(
            JdbcClient jdbc,
            TenantTransactions transactions,
            Tenants tenants,
            TelemetryPartitions partitions,
            TelemetryMaintenance maintenance,
            Clock clock,
            ClusterDuties duties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.tenants = tenants;
        this.partitions = partitions;
        this.maintenance = maintenance;
        this.clock = clock;
        this.duties = duties;
    }

    /**
     * Every six hours on the node that claims the period ({@link ClusterDuties}); the others forget the
     * partitions it drops, so that a late point for such a day creates it again.
     */
    @Scheduled(initialDelayString = "PT5M", fixedRateString = "PT6H")
    void everySixHours() {
        if (duties.claim("telemetry-retention", Duration.ofHours(6))) {
            run();
        } else {
            partitions.forgetBefore(dropBefore(tenants.all()));
        }
    }

    /**
     * Never beside a compaction (which would write a day back that this run deletes): waits for the
     * maintenance lock. Scheduled at a fixed rate, so the wait holds no scheduler thread.
     */
    void run() {
        maintenance.runWhenFree(this::apply);
    }

    /** Whole days before this one are past every tenant's retention. */
    private LocalDate dropBefore(List<Tenant> all) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return today.minusDays(
                all.stream().mapToInt(Tenant::maxRetentionDays).max().orElse(0));
    }

    private void apply() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<Tenant> all = tenants.all();
        LocalDate dropBefore = dropBefore(all);
        // raw and compacted partitions of the same days
        int dropped = transactions.global(() -> jdbc.sql("SELECT app_drop_telemetry_partitions_before(?)")
                .param(dropBefore)
                .query(Integer.class)
                .single());
        partitions.forgetBefore(dropBefore);
        long deleted = 0;
        long deletedHours = 0;
        for (Tenant tenant : all) {
            LocalDate cutoff = today.minusDays(tenant.maxRetentionDays());
            if (cutoff.isAfter(dropBefore)) {
                OffsetDateTime at = cutoff.atStartOfDay().atOffset(ZoneOffset.UTC);
                deleted += transactions.inTenant(
                        tenant.tenantId(),
                        () -> jdbc.sql("DELETE FROM telemetry WHERE ts < ?")
                                .param(at)
                                .update());
                // a compacted row holds one hour, which lies wholly before a day's start or not at all
                deletedHours += transactions.inTenant(
                        tenant.tenantId(),
                        () -> jdbc.sql("DELETE FROM telemetry_compact WHERE hour < ?")
                                .param(at)
                                .update());
            }
        }
        if (dropped > 0 || deleted > 0 || deletedHours > 0) {
            log.info(
                    "telemetry retention dropped {} daily partitions before {}, deleted {} rows and {} compacted hours",
                    dropped,
                    dropBefore,
                    deleted,
                    deletedHours);
        }
    }

    /** A deleted device has no latest values; its history stays until retention removes it. */
    @ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED) // the tenant's own transaction inside
    void deviceDeleted(DeviceDeleted event) {
        transactions.inTenant(
                event.tenantId(),
                () -> jdbc.sql("DELETE FROM telemetry_latest WHERE device_id = ?")
                        .param(event.deviceId())
                        .update());
    }
}

package io.insa.iiot.tenancy;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Stats and quota usage of a tenant (SPEC 3.4), from the database and the features that plug in. */
@Component
class TenantReports {

    record Stats(UUID tenantId, DeviceStats devices, long users, TelemetryStats telemetry, AlertStats alerts) {}

    record DeviceStats(long total, long online) {}

    record TelemetryStats(long pointsToday, long pointsTotal, Integer oldestDataAgeDays) {}

    record AlertStats(long active) {}

    record Quotas(Usage devices, Usage users, TelemetryUsage telemetryPoints, Retention dataRetention) {}

    record Usage(long used, long limit, double percentage) {}

    record TelemetryUsage(long usedToday, long limitPerDay, double percentage) {}

    record Retention(int currentDays, Integer oldestDataAgeDays) {}

    private final TenantTransactions transactions;
    private final Memberships memberships;
    private final ObjectProvider<TenantUsage.Devices> devices;
    private final ObjectProvider<TenantUsage.Telemetry> telemetry;
    private final ObjectProvider<TenantUsage.Alerts> alerts;

    TenantReports(
            TenantTransactions transactions,
            Memberships memberships,
            ObjectProvider<TenantUsage.Devices> devices,
            ObjectProvider<TenantUsage.Telemetry> telemetry,
            ObjectProvider<TenantUsage.Alerts> alerts) {
        this.transactions = transactions;
        this.memberships = memberships;
        this.devices = devices;
        this.telemetry = telemetry;
        this.alerts = alerts;
    }

    Stats stats(Tenant tenant) {
        TenantId id = tenant.tenantId();
        return transactions.inTenant(id, () -> {
            TenantUsage.DeviceCounts d = deviceCounts(id);
            TenantUsage.TelemetryCounts t = telemetryCounts(id);
            long activeAlerts = alerts.getIfAvailable(() -> tenantId -> 0L).active(id);
            return new Stats(
                    tenant.id(),
                    new DeviceStats(d.total(), d.online()),
                    memberships.memberCount(id),
                    new TelemetryStats(t.pointsToday(), t.pointsTotal(), t.oldestDataAgeDays()),
                    new AlertStats(activeAlerts));
        });
    }

    Quotas quotas(Tenant tenant) {
        TenantId id = tenant.tenantId();
        return transactions.inTenant(id, () -> {
            TenantUsage.DeviceCounts d = deviceCounts(id);
            TenantUsage.TelemetryCounts t = telemetryCounts(id);
            long seats = memberships.seatsUsed(id);
            return new Quotas(
                    new Usage(d.total(), tenant.maxDevices(), percentage(d.total(), tenant.maxDevices())),
                    new Usage(seats, tenant.maxUsers(), percentage(seats, tenant.maxUsers())),
                    new TelemetryUsage(
                            t.pointsToday(),
                            tenant.maxTelemetryPointsPerDay(),
                            percentage(t.pointsToday(), tenant.maxTelemetryPointsPerDay())),
                    new Retention(tenant.maxRetentionDays(), t.oldestDataAgeDays()));
        });
    }

    private TenantUsage.DeviceCounts deviceCounts(TenantId id) {
        return devices.getIfAvailable(() -> tenant -> TenantUsage.DeviceCounts.NONE)
                .count(id);
    }

    private TenantUsage.TelemetryCounts telemetryCounts(TenantId id) {
        return telemetry
                .getIfAvailable(() -> tenant -> TenantUsage.TelemetryCounts.NONE)
                .count(id);
    }

    /** Used share of a limit in percent, one decimal; a zero limit with any use is full. */
    static double percentage(long used, long limit) {
        if (limit <= 0) {
            return used > 0 ? 100.0 : 0.0;
        }
        return Math.round(used * 1000.0 / limit) / 10.0;
    }
}

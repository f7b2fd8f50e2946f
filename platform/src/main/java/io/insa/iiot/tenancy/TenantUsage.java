package io.insa.iiot.tenancy;

import io.insa.iiot.shared.TenantId;

/**
 * What other features contribute to a tenant's stats and quotas. Each is called inside a transaction
 * of the tenant; a feature that is not present counts as zero.
 */
public final class TenantUsage {

    private TenantUsage() {}

    public record DeviceCounts(long total, long online) {
        public static final DeviceCounts NONE = new DeviceCounts(0, 0);
    }

    public record TelemetryCounts(long pointsToday, long pointsTotal, Integer oldestDataAgeDays) {
        public static final TelemetryCounts NONE = new TelemetryCounts(0, 0, null);
    }

    /** Implemented by the device registry. */
    @FunctionalInterface
    public interface Devices {
        DeviceCounts count(TenantId tenant);
    }

    /** Implemented by telemetry storage. */
    @FunctionalInterface
    public interface Telemetry {
        TelemetryCounts count(TenantId tenant);
    }

    /** Implemented by alerting. */
    @FunctionalInterface
    public interface Alerts {
        long active(TenantId tenant);
    }
}

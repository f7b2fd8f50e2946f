package io.insa.iiot.telemetry;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.TenantUsage;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The telemetry part of a tenant's stats and quotas: points today and in all, and the age of the
 * oldest stored data, found by probing the daily partitions (raw and compacted) oldest first (each probe
 * is an index lookup on one partition).
 */
@Component
class TelemetryUsageReport implements TenantUsage.Telemetry {

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final DailyQuota quota;

    TelemetryUsageReport(JdbcClient jdbc, TenantTransactions transactions, DailyQuota quota) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.quota = quota;
    }

    @Override
    public TenantUsage.TelemetryCounts count(TenantId tenant) {
        LocalDate today = quota.today();
        return transactions.inTenant(tenant, () -> {
            long pointsToday = jdbc.sql("SELECT coalesce(sum(points), 0) FROM telemetry_usage WHERE day = ?")
                    .param(today)
                    .query(Long.class)
                    .single();
            long pointsTotal = jdbc.sql("SELECT coalesce(sum(points), 0) FROM telemetry_usage")
                    .query(Long.class)
                    .single();
            LocalDate oldest = oldestDay(today);
            Integer oldestAge = oldest == null ? null : (int) ChronoUnit.DAYS.between(oldest, today);
            return new TenantUsage.TelemetryCounts(pointsToday, pointsTotal, oldestAge);
        });
    }

    private LocalDate oldestDay(LocalDate today) {
        List<LocalDate> days = jdbc.sql("""
                        SELECT DISTINCT to_date(right(c.relname, 8), 'YYYYMMDD') AS day
                        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE (i.inhparent = 'telemetry'::regclass AND c.relname ~ '^telemetry_[0-9]{8}$')
                           OR (i.inhparent = 'telemetry_compact'::regclass AND c.relname ~ '^telemetry_compact_[0-9]{8}$')
                        ORDER BY 1""")
                .query((rs, n) -> rs.getObject("day", LocalDate.class))
                .list();
        for (LocalDate day : days) {
            if (day.isAfter(today)) {
                break;
            }
            OffsetDateTime start = day.atStartOfDay().atOffset(ZoneOffset.UTC);
            OffsetDateTime end = start.plusDays(1);
            boolean any = jdbc.sql("""
                            SELECT EXISTS (SELECT 1 FROM telemetry WHERE ts >= ? AND ts < ?)
                                OR EXISTS (SELECT 1 FROM telemetry_compact WHERE hour >= ? AND hour < ?)""")
                    .params(start, end, start, end)
                    .query(Boolean.class)
                    .single();
            if (any) {
                return day;
            }
        }
        return null;
    }
}

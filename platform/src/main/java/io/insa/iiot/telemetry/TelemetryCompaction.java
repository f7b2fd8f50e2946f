package io.insa.iiot.telemetry;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.tenancy.Tenant;
import io.insa.iiot.tenancy.Tenants;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Compaction of old days (SPEC 4.3): the raw rows of a day older than {@code insa.telemetry.compact-after}
 * become one row per device, key and hour in {@code telemetry_compact} (V13), which readers see through
 * {@code telemetry_points} together with the raw rows, so every answer stays the same.
 *
 * <p>A day is compacted tenant by tenant, in batches of whole devices: one statement deletes a batch's
 * raw rows and writes their hours (merged with hours compacted before, for points that came late), so
 * a batch is stored once in one table or the other whatever fails or is killed, and a run picks up
 * where the last one ended. Only rows of old days are locked, so ingest of current days goes on. A
 * compacted day's raw partition keeps its place for late points; its files are given back by the next
 * run, when no statement can still be reading the deleted rows.
 */
@Component
class TelemetryCompaction {

    /**
     * {@code insa.telemetry.*} settings of compaction.
     *
     * @param compactAfter days ending longer ago than this are compacted; a duration, or a number of days
     * @param compactionInterval how often compaction runs (first this long after start)
     */
    @ConfigurationProperties("insa.telemetry")
    record Settings(@DurationUnit(ChronoUnit.DAYS) Duration compactAfter, Duration compactionInterval) {}

    /** About this many raw rows (whole devices) are moved by one statement. */
    static final int BATCH_ROWS = 50_000;

    private static final Logger log = LoggerFactory.getLogger(TelemetryCompaction.class);
    private static final UUID FIRST = new UUID(0, 0);
    private static final UUID LAST = new UUID(-1, -1);

    /** The device at which a batch of about {@code ?} rows after device {@code ?} ends (null: the rest). */
    static final String BATCH_END = """
            SELECT device_id FROM telemetry WHERE ts >= ? AND ts < ? AND device_id > ?
            ORDER BY device_id, key_id, ts OFFSET ? LIMIT 1""";

    /**
     * Moves the raw rows of devices ({@code after}, {@code upto}] of one day into hour rows, in one
     * statement: merged with the hours compacted before (a raw point replaces a compacted one of the same
     * time). Answers the number of raw rows moved.
     */
    static final String MOVE = """
            WITH raw AS (
              DELETE FROM telemetry WHERE ts >= :start AND ts < :end AND device_id > :after AND device_id <= :upto
              RETURNING device_id, key_id, ts, long_v, double_v, bool_v, str_v, json_v
            ), merged AS (
              SELECT device_id, key_id, ts, long_v, double_v, bool_v, str_v, json_v FROM raw
              UNION ALL
              SELECT c.device_id, c.key_id, p.ts, p.long_v, p.double_v, p.bool_v, p.str_v, p.json_v
              FROM telemetry_compact c
              CROSS JOIN LATERAL telemetry_unpack(c.hour, c.ts_delta, c.long_v, c.double_v, c.bool_v, c.str_v, c.json_v) p
              WHERE c.hour >= :start AND c.hour < :end AND c.device_id > :after AND c.device_id <= :upto
                AND (c.device_id, c.key_id, c.hour) IN (SELECT device_id, key_id, date_bin('1 hour', ts, timestamptz 'epoch') FROM raw)
                AND NOT EXISTS (SELECT 1 FROM raw r WHERE r.device_id = c.device_id AND r.key_id = c.key_id AND r.ts = p.ts)
            ), stamped AS (
              SELECT m.*, date_bin('1 hour', ts, timestamptz 'epoch') AS hour,
                     (extract(epoch FROM ts) * 1000000)::bigint AS us
              FROM merged m
            ), written AS (
              INSERT INTO telemetry_compact (tenant_id, device_id, key_id, hour, n, ts_delta, long_v, double_v, bool_v, str_v, json_v)
              SELECT :tenant, device_id, key_id, hour, count(*), array_agg(delta ORDER BY ts),
                     CASE WHEN count(long_v) > 0 THEN array_agg(long_v ORDER BY ts) END,
                     CASE WHEN count(double_v) > 0 THEN array_agg(double_v ORDER BY ts) END,
                     CASE WHEN count(bool_v) > 0 THEN array_agg(bool_v ORDER BY ts) END,
                     CASE WHEN count(str_v) > 0 THEN array_agg(str_v ORDER BY ts) END,
                     CASE WHEN count(json_v) > 0 THEN array_agg(json_v ORDER BY ts) END
              FROM (SELECT s.*, us - coalesce(lag(us) OVER (PARTITION BY device_id, key_id, hour ORDER BY ts),
                                               (extract(epoch FROM hour) * 1000000)::bigint) AS delta
                    FROM stamped s) d
              GROUP BY device_id, key_id, hour
              ON CONFLICT (tenant_id, device_id, key_id, hour) DO UPDATE
                SET n = excluded.n, ts_delta = excluded.ts_delta, long_v = excluded.long_v, double_v = excluded.double_v,
                    bool_v = excluded.bool_v, str_v = excluded.str_v, json_v = excluded.json_v
            )
            SELECT count(*) FROM raw""";

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Tenants tenants;
    private final TelemetryMaintenance maintenance;
    private final Clock clock;
    private final Duration compactAfter;

    TelemetryCompaction(
            JdbcClient jdbc,
            TenantTransactions transactions,
            Tenants tenants,
            TelemetryMaintenance maintenance,
            Clock clock,
            Settings settings) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.tenants = tenants;
        this.maintenance = maintenance;
        this.clock = clock;
        this.compactAfter = settings.compactAfter();
        if (compactAfter.isNegative()) {
            throw new IllegalArgumentException("insa.telemetry.compact-after must not be negative");
        }
    }

    /** On one node of the cluster; a fixed rate, so that a long run holds no scheduler thread. */
    @Scheduled(
            initialDelayString = "${insa.telemetry.compaction-interval}",
            fixedRateString = "${insa.telemetry.compaction-interval}")
    void scheduled() {
        try {
            if (!maintenance.runIfFree(this::compactDue)) {
                log.debug("telemetry compaction skipped: another node's maintenance runs");
            }
        } catch (RuntimeException e) {
            log.warn("telemetry compaction stopped, the next run goes on from there: {}", e.toString());
        }
    }

    /** Compacts every due day now, waiting for a maintenance run of another node to end first. */
    void compactNow() {
        maintenance.runWhenFree(this::compactDue);
    }

    private void compactDue() {
        Instant started = clock.instant();
        LocalDate lastDue =
                LocalDate.ofInstant(started.minus(compactAfter), ZoneOffset.UTC).minusDays(1);
        long points = 0;
        int days = 0;
        for (LocalDate day : rawDaysWithFiles(lastDue)) {
            // a day emptied by an earlier run gives its files back; any other is compacted
            boolean released = transactions.global(() -> jdbc.sql("SELECT app_release_telemetry_partition(?)")
                    .param(day)
                    .query(Boolean.class)
                    .single());
            if (!released) {
                points += compactDay(day, BATCH_ROWS);
                days++;
            }
        }
        if (points > 0) {
            log.info(
                    "telemetry compaction: {} points of {} days in {} ms",
                    points,
                    days,
                    Duration.between(started, clock.instant()).toMillis());
        }
    }

    /** Raw day partitions up to {@code lastDue} that have files (rows, or rows compacted but not yet given back). */
    private List<LocalDate> rawDaysWithFiles(LocalDate lastDue) {
        return transactions.global(() -> jdbc.sql("""
                        SELECT to_date(substr(c.relname, 11), 'YYYYMMDD') AS day
                        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'telemetry'::regclass AND c.relname ~ '^telemetry_[0-9]{8}$'
                          AND to_date(substr(c.relname, 11), 'YYYYMMDD') <= ? AND pg_relation_size(c.oid) > 0
                        ORDER BY 1""")
                .param(lastDue)
                .query((rs, n) -> rs.getObject("day", LocalDate.class))
                .list());
    }

    /**
     * Compacts one day of every tenant whose retention still keeps it, in batches of about
     * {@code batchRows} raw rows; returns the points moved.
     */
    long compactDay(LocalDate day, int batchRows) {
        transactions.global(() -> jdbc.sql("SELECT app_ensure_telemetry_compact_partition(?)")
                .param(day)
                .query(String.class)
                .single());
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        long moved = 0;
        for (Tenant tenant : tenants.all()) {
            if (day.isBefore(today.minusDays(tenant.maxRetentionDays()))) {
                continue; // retention deletes it
            }
            moved += compactDay(tenant.tenantId(), day, batchRows);
        }
        return moved;
    }

    long compactDay(TenantId tenant, LocalDate day, int batchRows) {
        OffsetDateTime start = day.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = start.plusDays(1);
        long moved = 0;
        UUID after = FIRST;
        while (after != null) {
            UUID from = after;
            UUID to = transactions.inTenant(
                    tenant,
                    () -> jdbc.sql(BATCH_END)
                            .params(start, end, from, batchRows - 1)
                            .query(UUID.class)
                            .optional()
                            .orElse(null));
            moved += transactions.inTenant(tenant, () -> {
                // the sort of a batch stays in memory; planning it is cheaper than compiling it
                jdbc.sql("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")
                        .query()
                        .listOfRows();
                return jdbc.sql(MOVE)
                        .param("start", start)
                        .param("end", end)
                        .param("after", from)
                        .param("upto", to == null ? LAST : to)
                        .param("tenant", tenant.value())
                        .query(Long.class)
                        .single();
            });
            after = to;
        }
        return moved;
    }
}

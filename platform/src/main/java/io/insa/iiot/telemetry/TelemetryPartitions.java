package io.insa.iiot.telemetry;

import io.insa.iiot.shared.TenantTransactions;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Daily partitions of the telemetry table: created a few days ahead by a schedule, and on demand for
 * device timestamps outside that window. Creating one is DDL, so it goes through the owner's
 * function {@code app_ensure_telemetry_partition}.
 */
@Component
public class TelemetryPartitions {

    static final int DAYS_AHEAD = 3;

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final Set<LocalDate> known = ConcurrentHashMap.newKeySet();

    TelemetryPartitions(JdbcClient jdbc, TenantTransactions transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Makes sure the partition holding {@code day} exists. */
    public void ensure(LocalDate day) {
        if (known.contains(day)) {
            return;
        }
        transactions.global(() -> jdbc.sql("SELECT app_ensure_telemetry_partition(?)")
                .param(day)
                .query(String.class)
                .single());
        known.add(day);
    }

    @Scheduled(initialDelay = 0, fixedDelayString = "PT1H")
    void createAhead() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        for (int i = 0; i <= DAYS_AHEAD; i++) {
            ensure(today.plusDays(i));
        }
    }

    /** Forgets dropped partitions, so that a late point for such a day recreates it. */
    void forgetBefore(LocalDate day) {
        known.removeIf(d -> d.isBefore(day));
    }
}

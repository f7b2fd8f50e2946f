package io.insa.iiot.audit;

import io.insa.iiot.shared.ClusterDuties;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the audit log bounded: rows older than {@code insa.audit.retention-days} are removed daily, by
 * one node of the cluster ({@link ClusterDuties}).
 */
@Component
class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    private final AuditRepository audit;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final int retentionDays;
    private final ClusterDuties duties;

    AuditRetention(
            AuditRepository audit,
            TenantTransactions transactions,
            Clock clock,
            @Value("${insa.audit.retention-days}") int retentionDays,
            ClusterDuties duties) {
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
        this.retentionDays = retentionDays;
        this.duties = duties;
    }

    @Scheduled(initialDelayString = "PT10M", fixedDelayString = "PT24H")
    void daily() {
        if (duties.claim("audit-retention", Duration.ofHours(24))) {
            purge();
        }
    }

    long purge() {
        OffsetDateTime cutoff = Times.now(clock).minusDays(retentionDays);
        long removed = transactions.global(() -> audit.purgeBefore(cutoff));
        if (removed > 0) {
            log.info("audit retention removed {} entries older than {}", removed, cutoff);
        }
        return removed;
    }
}

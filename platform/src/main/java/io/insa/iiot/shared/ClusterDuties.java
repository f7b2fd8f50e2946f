package io.insa.iiot.shared;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Periodic work that one node of the cluster does per period, not every node (no-data checks,
 * retention): each node's scheduler asks before its run, and the first to ask in a period claims it
 * (a row per duty in {@code cluster_duties}, on the database's clock). When the node that claimed it
 * dies, another claims the next period.
 */
@Component
public class ClusterDuties {

    /** Who claimed a duty last, for whoever reads the table: host and process. */
    private static final String NODE = ManagementFactory.getRuntimeMXBean().getName();

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;

    ClusterDuties(JdbcClient jdbc, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /**
     * True when this node is to do the duty now: no node claimed it in the last nine tenths of a period
     * (a scheduler of the same period, on this node or another, comes back after a little more than
     * one).
     */
    public boolean claim(String duty, Duration period) {
        return transactions.global(() -> jdbc.sql("""
                        INSERT INTO cluster_duties AS d (duty, claimed_at, node) VALUES (?, now(), ?)
                        ON CONFLICT (duty) DO UPDATE SET claimed_at = now(), node = excluded.node
                          WHERE d.claimed_at <= now() - ? * interval '1 microsecond'
                        RETURNING duty""")
                .params(duty, NODE, period.toNanos() / 1000 * 9 / 10)
                .query(String.class)
                .optional()
                .isPresent());
    }
}

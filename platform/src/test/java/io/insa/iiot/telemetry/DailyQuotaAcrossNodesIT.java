package io.insa.iiot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.IntegrationTest;
import io.insa.iiot.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * With several nodes ({@code insa.queue=kafka}) a tenant's daily quota holds across them: each node
 * reads every tenant's stored count again ({@code insa.ingest.quota-refresh}) and adds what the others
 * stored, never its own points twice. Two {@link DailyQuota}s on one database stand for two nodes.
 */
class DailyQuotaAcrossNodesIT extends IntegrationTest {

    private static final long LIMIT = 100;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions transactions;

    @Autowired
    Clock clock;

    @Test
    void aNodeCountsThePointsTheOtherNodesStoredAndItsOwnOnce() throws Exception {
        TenantId tenant = new TenantId(fixture.tenant(Fixture.unique("Quota nodes")));
        DailyQuota node1 = new DailyQuota(jdbc, transactions, clock, "kafka");
        DailyQuota node2 = new DailyQuota(jdbc, transactions, clock, "kafka");

        store(node2.admit(tenant, LIMIT, 10)); // node 2 counts the day from here on
        store(node1.admit(tenant, LIMIT, 60)); // node 1 starts from the 10 stored

        node2.refresh();
        assertThat(node2.admit(tenant, LIMIT, 50).refusal())
                .as("node 2: 50 more, with 70 stored by both nodes")
                .isPresent();
        assertThat(node2.admit(tenant, LIMIT, 30).refusal())
                .as("node 2: 30 more")
                .isEmpty();

        node1.refresh();
        node1.refresh();
        assertThat(node1.admit(tenant, LIMIT, 31).refusal())
                .as("node 1: 31 more, with 70 stored")
                .isPresent();
        assertThat(node1.admit(tenant, LIMIT, 30).refusal())
                .as("node 1: 30 more (its own 60 counted once, node 2's 30 on their way not yet seen)")
                .isEmpty();
    }

    @Test
    void oneNodeReadsNothingAgain() throws Exception {
        TenantId tenant = new TenantId(fixture.tenant(Fixture.unique("Quota one node")));
        DailyQuota alone = new DailyQuota(jdbc, transactions, clock, "memory");
        store(alone.admit(tenant, LIMIT, 10));
        addStored(tenant, 80); // as nobody else could: a count it need not read again

        alone.refresh();
        assertThat(alone.admit(tenant, LIMIT, 90).refusal()).isEmpty();
    }

    /** The admitted points stored, as the writer would: the day's count in the database, then the outcome. */
    private void store(DailyQuota.Result admitted) throws Exception {
        DailyQuota.Reservation reservation = admitted.reservation();
        assertThat(reservation).as("admitted").isNotNull();
        addStored(reservation.tenant(), reservation.points());
        reservation.settleOn(CompletableFuture.completedFuture(true), stored -> stored);
    }

    private void addStored(TenantId tenant, long points) throws Exception {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        try (Connection c = TestDatabase.get().connectAsApp()) {
            c.setAutoCommit(false);
            try (PreparedStatement context = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
                context.setString(1, tenant.value().toString());
                context.execute();
            }
            try (PreparedStatement add = c.prepareStatement("""
                    INSERT INTO telemetry_usage (tenant_id, day, points) VALUES (?, ?, ?)
                    ON CONFLICT (tenant_id, day) DO UPDATE SET points = telemetry_usage.points + excluded.points""")) {
                add.setObject(1, tenant.value());
                add.setObject(2, today);
                add.setLong(3, points);
                add.executeUpdate();
            }
            c.commit();
        }
    }
}

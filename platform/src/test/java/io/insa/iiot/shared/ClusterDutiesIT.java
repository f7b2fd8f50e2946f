package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.IntegrationTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A periodic duty is done by one node per period: two nodes asking in the same period, one claims it. */
class ClusterDutiesIT extends IntegrationTest {

    @Autowired
    ClusterDuties thisNode;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions transactions;

    @Test
    void theFirstNodeToAskInAPeriodClaimsItAndTheNextPeriodIsAnyNodes() throws Exception {
        ClusterDuties otherNode = new ClusterDuties(jdbc, transactions);
        String duty = "test-" + UUID.randomUUID();
        Duration period = Duration.ofMillis(600);

        assertThat(thisNode.claim(duty, period)).isTrue();
        assertThat(otherNode.claim(duty, period))
                .as("the other node, in the same period")
                .isFalse();
        assertThat(thisNode.claim(duty, period))
                .as("this node again, in the same period")
                .isFalse();

        Thread.sleep(period.toMillis());
        assertThat(otherNode.claim(duty, period))
                .as("the other node, a period later")
                .isTrue();
        assertThat(thisNode.claim(duty, period)).isFalse();
    }

    @Test
    void dutiesAreClaimedEachOnItsOwn() {
        Duration hour = Duration.ofHours(1);
        String first = "test-" + UUID.randomUUID();
        String second = "test-" + UUID.randomUUID();

        assertThat(thisNode.claim(first, hour)).isTrue();
        assertThat(thisNode.claim(second, hour)).isTrue();
    }
}

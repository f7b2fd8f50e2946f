package io.insa.iiot.connector.opcua.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How often a subscription publishes, and how many samples its items queue in between. */
class PublishingTest {

    @Test
    void withoutAnIntervalTheFastestSamplingDecidesWithin100msAnd1s() {
        assertThat(Publishing.interval(connector(null, 100, 1000))).isEqualTo(100);
        assertThat(Publishing.interval(connector(null, 250))).isEqualTo(250);
        assertThat(Publishing.interval(connector(null, 0, 500)))
                .as("0: the server's fastest")
                .isEqualTo(100);
        assertThat(Publishing.interval(connector(null, 10))).isEqualTo(100);
        assertThat(Publishing.interval(connector(null, 60_000))).isEqualTo(1000);
        assertThat(Publishing.interval(connector(null))).as("no mappings").isEqualTo(1000);
    }

    @Test
    void anIntervalSetIsKept() {
        assertThat(Publishing.interval(connector(5000, 100))).isEqualTo(5000);
        assertThat(Publishing.interval(connector(20, 1000))).isEqualTo(20);
    }

    @Test
    void theQueueHoldsAPublishingIntervalOfSamplesAndALatePublish() {
        assertThat(Publishing.queueSize(100, 100))
                .as("0.1 s + 1 s late, every 0.1 s")
                .isEqualTo(11);
        assertThat(Publishing.queueSize(1000, 100)).as("1 s + 1 s late").isEqualTo(20);
        assertThat(Publishing.queueSize(1000, 1000)).isEqualTo(2);
        assertThat(Publishing.queueSize(5000, 1000)).as("late by one interval").isEqualTo(10);
        assertThat(Publishing.queueSize(1000, 3_600_000)).as("at least 2").isEqualTo(2);
        assertThat(Publishing.queueSize(600_000, 10)).as("at most").isEqualTo(Publishing.MAX_QUEUE_SIZE);
        assertThat(Publishing.queueSize(100, 0)).as("0 counts as 10 ms").isEqualTo(110);
        assertThat(Publishing.queueSize(100, 33)).as("rounded up").isEqualTo(34);
    }

    private static OpcUaConnector connector(Integer publishing, int... samplings) {
        List<OpcUaConnector.Mapping> mappings = IntStream.of(samplings)
                .mapToObj(s -> new OpcUaConnector.Mapping("ns=2;s=V" + s, "d", "k" + s, s, null, 1, 0))
                .toList();
        return new OpcUaConnector(
                UUID.randomUUID(),
                TenantId.of(UUID.randomUUID()),
                "c",
                "opc.tcp://127.0.0.1:4840/x",
                "None",
                "None",
                new OpcUaConnector.Auth("anonymous", null, null),
                true,
                publishing,
                mappings,
                null,
                Instant.EPOCH,
                Instant.EPOCH);
    }
}

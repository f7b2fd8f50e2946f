package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import io.insa.iiot.support.TestDatabase;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code insa.ingest.ack=queued} (docs/deployment.md): a device is acknowledged once Kafka holds its
 * message, before the database has it, so a device is answered 200 while PostgreSQL is cut away; the
 * writers store every such message once the database is back.
 */
@EmbeddedKafka(bootstrapServersProperty = "insa.kafka.bootstrap-servers")
@TestPropertySource(
        properties = {
            "insa.queue=kafka",
            "insa.ingest.ack=queued",
            "insa.kafka.topic=insa-ingest-queued-it",
            "insa.kafka.partitions=2",
            "insa.ingest.device-messages-per-second=1000000"
        })
class KafkaQueuedAcknowledgementIT extends OutageTest {

    @Test
    @Timeout(120)
    void messagesAcknowledgedWhileTheDatabaseIsAwayAreStoredWhenItIsBack() throws Exception {
        UUID tenant = fixture.tenant(Fixture.unique("Queued"), Map.of("max_messages_per_second", 1_000_000));
        Fixture.Member admin = fixture.member(tenant, "admin");
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "queued");
        // admission knows the device and its tenant from here on
        assertThat(fixture.telemetry(device.token(), Map.of("seq", 0)).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> stored(device.id()).contains(0L));

        DATABASE.cut();
        Set<Long> acknowledged = new HashSet<>(Set.of(0L));
        for (long n = 1; n <= 20; n++) {
            int status = fixture.telemetry(device.token(), Map.of("seq", n)).status();
            assertThat(status).as("message %d with the database away", n).isEqualTo(200);
            acknowledged.add(n);
        }
        assertThat(stored(device.id())).as("stored while the database was away").hasSize(1);
        DATABASE.restore();

        await().atMost(Duration.ofSeconds(60)).until(() -> stored(device.id()).size() == acknowledged.size());
        assertThat(stored(device.id())).containsExactlyInAnyOrderElementsOf(acknowledged);
    }

    private static Set<Long> stored(UUID device) throws Exception {
        return Set.copyOf(TestDatabase.get().storedLongs(device));
    }
}

package io.insa.iiot.ingest;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import io.insa.iiot.support.PlatformProcess;
import io.insa.iiot.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.TestPropertySource;

/**
 * SPEC 11 with the ingest stream on Kafka ({@code insa.queue=kafka}) and two nodes, this one and the
 * built jar in a process of its own, both reaching PostgreSQL through the same cut: the database goes
 * away for 20 s under devices on both nodes and comes back. The writers hold what they took from Kafka
 * until it returns; every message is answered (stored, or retry once the answer timeout passes), and
 * every acknowledged one is stored.
 */
@EmbeddedKafka(bootstrapServersProperty = "insa.kafka.bootstrap-servers")
@TestPropertySource(properties = {"insa.queue=kafka", "insa.kafka.partitions=4"})
class KafkaDatabaseOutageIT extends OutageTest {

    @Value("${insa.kafka.bootstrap-servers}")
    String bootstrapServers;

    @Test
    @Timeout(240)
    void twoNodesUnderLoadAnswerEveryMessageAndStoreEveryAcknowledgedOne() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant(Fixture.unique("Kafka outage")), "operator");
        try (PlatformProcess node2 = PlatformProcess.start(Map.of(
                "insa.queue", "kafka",
                "insa.kafka.bootstrap-servers", bootstrapServers,
                "insa.kafka.partitions", "4",
                "insa.kafka.session-timeout", "6s",
                "spring.datasource.url", TestDatabase.get().urlThroughPort(DATABASE.port()),
                "spring.datasource.hikari.connection-timeout", "2000"))) {
            Api onNode2 = new Api(node2.port());
            List<Sender> senders = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Fixture.DeviceHandle device = fixture.device(operator.accessToken(), Fixture.unique("http"));
                senders.add(i % 2 == 0 ? new HttpSender(device) : new HttpSender(device, onNode2));
            }

            sendThroughAnOutage(operator, senders);
        }
    }
}

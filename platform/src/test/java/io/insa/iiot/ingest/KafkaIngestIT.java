package io.insa.iiot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insa.iiot.support.Api;
import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import io.insa.iiot.support.PlatformProcess;
import io.insa.iiot.support.Points;
import io.insa.iiot.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.TestPropertySource;

/**
 * The ingest stream through Kafka ({@code insa.queue=kafka}, SPEC 2), on an in-process KRaft broker:
 * a device is acknowledged only once its message is stored, and a record the writers take again (as
 * after a writer died before committing its offsets) makes no second point; with a second node (the
 * built jar in a process of its own), a node killed under load and the database cut away for 20 s lose
 * nothing acknowledged. The platform reaches PostgreSQL through the {@link OutageTest} proxy.
 */
@EmbeddedKafka(bootstrapServersProperty = "insa.kafka.bootstrap-servers")
@TestPropertySource(
        properties = {
            "insa.queue=kafka",
            "insa.kafka.topic=" + KafkaIngestIT.TOPIC,
            "insa.kafka.partitions=4",
            "insa.ingest.device-messages-per-second=1000000"
        })
class KafkaIngestIT extends OutageTest {

    static final String TOPIC = "insa-ingest-it";

    @Value("${insa.kafka.bootstrap-servers}")
    String bootstrapServers;

    @Autowired
    MeterRegistry meters;

    @Test
    @Timeout(120)
    void everyAcknowledgedMessageOfABurstWithoutTimestampsIsStoredOnce() throws Exception {
        Fixture.DeviceHandle device = device("burst");
        AtomicLong sequence = new AtomicLong();
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            senders.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) {
                    long n = sequence.getAndIncrement();
                    // no timestamp, as most devices send: the server stamps each message
                    if (fixture.telemetry(device.token(), Map.of("seq", n)).status() == 200) {
                        acknowledged.add(n);
                    }
                }
            }));
        }
        for (Thread sender : senders) {
            sender.join();
        }

        assertThat(acknowledged).hasSize(400);
        // acknowledged after the commit: every answered message is there at once, and only once
        assertThat(storedSequence(device.id())).containsExactlyInAnyOrderElementsOf(acknowledged);
    }

    @Test
    @Timeout(120)
    void aRecordTakenAgainMakesNoSecondPoint() throws Exception {
        Fixture.DeviceHandle device = device("redelivered");
        for (long n = 0; n < 20; n++) {
            assertThat(fixture.telemetry(device.token(), Map.of("seq", n)).status())
                    .isEqualTo(200);
        }
        assertThat(storedSequence(device.id())).hasSize(20);

        // the device's records as another node's writers would take them again
        List<ConsumerRecord<byte[], byte[]>> records = recordsOf(device.id());
        assertThat(records).hasSize(20);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                ProducerRecord<byte[], byte[]> again =
                        new ProducerRecord<>(TOPIC, record.partition(), record.key(), record.value());
                again.headers().add(KafkaIngestQueue.ORIGIN, "another-node".getBytes(StandardCharsets.US_ASCII));
                producer.send(again).get(10, TimeUnit.SECONDS);
            }
        }
        awaitWritersCaughtUp();

        List<Long> stored = storedSequenceWithRepeats(device.id());
        assertThat(stored).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    @Timeout(240)
    void twoNodesUnderLoadAnswerEveryMessageAndStoreEveryAcknowledgedOne() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant(Fixture.unique("Kafka outage")), "operator");
        try (PlatformProcess node2 = PlatformProcess.start(Map.of(
                "insa.queue", "kafka",
                "insa.kafka.bootstrap-servers", bootstrapServers,
                "insa.kafka.topic", TOPIC,
                "insa.kafka.partitions", "4",
                "insa.ingest.device-messages-per-second", "1000000",
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

    /**
     * Two nodes on the same topic and database: this one and a second process. Devices send to both;
     * each node's writers hold half the partitions, so each answers the other's messages too. The
     * second is killed (SIGKILL) under load, and its devices go on through the first.
     */
    @Test
    @Timeout(300)
    void aNodeKilledUnderLoadLosesNoAcknowledgedPointAndStoresNoneTwice() throws Exception {
        UUID tenant = fixture.tenant(Fixture.unique("Nodes"), Map.of("max_messages_per_second", 1_000_000));
        Fixture.Member admin = fixture.member(tenant, "admin");
        List<Fixture.DeviceHandle> devices = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            devices.add(fixture.device(admin.accessToken(), "node-device-" + i));
        }
        // each device crosses it once, before the kill: one alert each, whichever node judged it
        Api.Response rule = api.post(
                        "/api/v1/rules",
                        Map.of(
                                "name", "Sequence past 10",
                                "severity", "minor",
                                "scope", Map.of("type", "all"),
                                "key", "seq",
                                "condition", Map.of("type", "threshold", "operator", ">", "value", 10)))
                .bearer(admin.accessToken())
                .send();
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
        Map<String, String> second = Map.of(
                "insa.queue", "kafka",
                "insa.kafka.bootstrap-servers", bootstrapServers,
                "insa.kafka.topic", TOPIC,
                "insa.kafka.partitions", "4",
                "insa.kafka.session-timeout", "6s",
                "insa.ingest.device-messages-per-second", "1000000");
        Map<UUID, Set<Long>> acknowledged = new ConcurrentHashMap<>();
        Map<UUID, AtomicLong> ackedAfterKill = new ConcurrentHashMap<>();
        devices.forEach(d -> {
            acknowledged.put(d.id(), ConcurrentHashMap.newKeySet());
            ackedAfterKill.put(d.id(), new AtomicLong());
        });
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicBoolean killed = new AtomicBoolean();
        try (PlatformProcess node2 = PlatformProcess.start(second)) {
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < devices.size(); i++) {
                Fixture.DeviceHandle device = devices.get(i);
                boolean onNode2 = i % 2 == 1;
                senders.add(Thread.ofPlatform().start(() -> {
                    HttpClient http = HttpClient.newHttpClient();
                    long n = 0;
                    while (sending.get()) {
                        // a device of the killed node goes on through the other, as behind a load balancer
                        int to = onNode2 && !killed.get() ? node2.port() : port;
                        HttpRequest request = HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + to + "/api/v1/" + device.token() + "/telemetry"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"seq\":" + n + "}"))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .build();
                        try {
                            if (http.send(request, HttpResponse.BodyHandlers.discarding())
                                            .statusCode()
                                    == 200) {
                                acknowledged.get(device.id()).add(n);
                                if (killed.get()) {
                                    ackedAfterKill.get(device.id()).incrementAndGet();
                                }
                            }
                        } catch (IOException e) {
                            // the node went away with the request: not acknowledged
                        } catch (InterruptedException e) {
                            return;
                        }
                        n++;
                    }
                }));
            }
            // every device acknowledged, whichever node's writer wrote its messages
            awaitEach(acknowledged.values(), 20);
            node2.kill();
            killed.set(true);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (ackedAfterKill.values().stream().anyMatch(a -> a.get() < 20) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            sending.set(false);
            for (Thread sender : senders) {
                sender.join();
            }
        }
        awaitWritersCaughtUp();

        assertThat(ackedAfterKill.values())
                .as("devices going on after the kill")
                .allMatch(a -> a.get() >= 20);
        for (Fixture.DeviceHandle device : devices) {
            await().atMost(Duration.ofSeconds(15)).until(() -> alerts(admin, device) > 0);
            assertThat(alerts(admin, device))
                    .as("alerts of a rule each device crossed once, across the kill")
                    .isEqualTo(1);
            List<Long> stored = storedSequenceWithRepeats(device.id());
            assertThat(stored).as("stored twice").doesNotHaveDuplicates();
            assertThat(stored).as("acknowledged but not stored").containsAll(acknowledged.get(device.id()));
        }
    }

    /**
     * Before its writers give their partitions to a writer that joins the group, this node judges what
     * it wrote, checkpoints its devices' anomaly models and forgets them, so that the node that writes
     * them next goes on from all they learnt, and this one reads them again should they come back.
     */
    @Test
    @Timeout(120)
    void aRebalanceCheckpointsTheAnomalyModelsOfTheDevicesHandedOver() throws Exception {
        UUID tenant = fixture.tenant(Fixture.unique("Hand-over"), Map.of("max_messages_per_second", 1_000_000));
        Fixture.Member admin = fixture.member(tenant, "admin");
        fixture.anomalyDetectionOn(admin.accessToken());
        Fixture.DeviceHandle device = fixture.device(admin.accessToken(), "handed-over");
        for (int n = 0; n < 30; n++) {
            assertThat(fixture.telemetry(device.token(), Map.of("level", 20 + n % 3))
                            .status())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Points.count(tenant, device.id(), "level.anomaly_score") == 30);

        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, "insa-ingest-writers");
        // it leaves without committing: the platform's writers take every record it polled again
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> joining =
                new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            joining.subscribe(List.of(TOPIC));
            // the group settles only once this node's writers have released what they gave up
            while (joining.assignment().isEmpty()) {
                joining.poll(Duration.ofMillis(200));
            }
            assertThat(Points.checkpointedValues(tenant, device.id(), "level"))
                    .as("values the checkpoint holds once the partitions moved")
                    .isEqualTo(30L);
            assertThat(meters.get("insa.analytics.models.held").gauge().value())
                    .as("anomaly models this node still holds in memory")
                    .isZero();
        }
    }

    private int alerts(Fixture.Member admin, Fixture.DeviceHandle device) {
        return api.get("/api/v1/alerts?device_id=" + device.id())
                .bearer(admin.accessToken())
                .send()
                .json()
                .at("/items")
                .size();
    }

    private static void awaitEach(Collection<Set<Long>> acknowledged, int atLeast) throws InterruptedException {
        while (acknowledged.stream().anyMatch(a -> a.size() < atLeast)) {
            Thread.sleep(50);
        }
    }

    private Fixture.DeviceHandle device(String name) {
        UUID tenant = fixture.tenant(Fixture.unique("Kafka"), Map.of("max_messages_per_second", 1_000_000));
        Fixture.Member admin = fixture.member(tenant, "admin");
        return fixture.device(admin.accessToken(), name);
    }

    /** Every record of the device in the topic, read by a group of the test's own. */
    private List<ConsumerRecord<byte[], byte[]>> recordsOf(UUID device) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            byte[] key = KafkaRecords.key(PendingMessage.attributes(
                    new io.insa.iiot.device.DeviceIdentity(device, null, null, null), null, Map.of()));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (java.util.Arrays.equals(record.key(), key)) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    /** Waits until the platform's writers committed offsets up to the end of every partition. */
    private void awaitWritersCaughtUp() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 4; p++) {
                latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
            }
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("insa-ingest-writers")
                        .partitionsToOffsetAndMetadata()
                        .get();
                Map<TopicPartition, ListOffsetsResultInfo> end =
                        admin.listOffsets(latest).all().get();
                if (end.entrySet().stream().allMatch(e -> {
                    OffsetAndMetadata written = committed.get(e.getKey());
                    return (written == null ? 0 : written.offset())
                            >= e.getValue().offset();
                })) {
                    return;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Set<Long> storedSequence(UUID device) throws Exception {
        return Set.copyOf(storedSequenceWithRepeats(device));
    }

    private static List<Long> storedSequenceWithRepeats(UUID device) throws Exception {
        return TestDatabase.get().storedLongs(device);
    }
}

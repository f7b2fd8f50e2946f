package io.insa.iiot.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * This node's writers on the ingest topic: each a consumer of the group, which takes the records of
 * its partitions in batches to the {@link BatchWriter}, answers them (to {@link KafkaAnswers} on this
 * node, by a PostgreSQL notification to the nodes that admitted the others) and only then commits
 * its offsets. A record taken again after a writer died is written again into the same rows: its
 * points carry the timestamps fixed at admission. A writer whose partitions go to another node
 * (a rebalance) first has this node's rule and anomaly evaluation judge what it wrote and release
 * those devices' state, so that the next writer's node goes on from the database.
 */
final class KafkaIngestWriters {

    private static final Logger log = LoggerFactory.getLogger(KafkaIngestWriters.class);
    /** A notification's payload stays under PostgreSQL's limit of 8,000 bytes. */
    private static final int MAX_PAYLOAD = 7_900;

    private final KafkaSettings settings;
    private final int threads;
    private final int batchMaxMessages;
    private final BatchWriter writer;
    private final KafkaRecords records;
    private final KafkaAnswers answers;
    private final JdbcClient jdbc;
    private final String node;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;

    KafkaIngestWriters(
            KafkaSettings settings,
            int threads,
            int batchMaxMessages,
            BatchWriter writer,
            KafkaRecords records,
            KafkaAnswers answers,
            JdbcClient jdbc,
            String node) {
        this.settings = settings;
        this.threads = threads;
        this.batchMaxMessages = batchMaxMessages;
        this.writer = writer;
        this.records = records;
        this.answers = answers;
        this.jdbc = jdbc;
        this.node = node;
    }

    String node() {
        return node;
    }

    synchronized void start() {
        running = true;
        for (int i = 0; i < threads; i++) {
            KafkaConsumer<byte[], byte[]> consumer = consumer(i);
            workers.add(
                    Thread.ofPlatform().name("ingest-writer-" + i).daemon(false).start(() -> consume(consumer)));
        }
    }

    /** Each writer writes what it polled, then what is left for it (until a poll brings nothing), and leaves the group. */
    synchronized void stop() {
        running = false;
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.clear();
    }

    private KafkaConsumer<byte[], byte[]> consumer(int index) {
        Properties consumerSettings = new Properties();
        consumerSettings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, settings.consumerGroup());
        consumerSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "insa-ingest-" + node + "-writer-" + index);
        consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerSettings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, batchMaxMessages);
        int sessionTimeout = (int) settings.sessionTimeout().toMillis();
        consumerSettings.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeout);
        consumerSettings.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, sessionTimeout / 3));
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(settings.topic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                handOver(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                handOver(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
        });
        return consumer;
    }

    /** Called on the writer's thread, after it wrote and answered all it polled from them. */
    private void handOver(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        if (writer.handOverEvaluations(settings.sessionTimeout())) {
            log.info(
                    "ingest partitions {} handed over: their evaluations released in {} ms",
                    partitions.stream().map(TopicPartition::partition).sorted().toList(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } else {
            log.warn("ingest partitions {} handed over before their evaluations were released", partitions);
        }
    }

    private void consume(KafkaConsumer<byte[], byte[]> consumer) {
        try (consumer) {
            while (true) {
                ConsumerRecords<byte[], byte[]> polled;
                try {
                    polled = consumer.poll(Duration.ofMillis(100));
                } catch (KafkaException e) {
                    log.warn("ingest writer could not poll Kafka: {}", e.toString());
                    continue;
                }
                if (polled.isEmpty()) {
                    if (!running) {
                        return;
                    }
                    continue;
                }
                write(polled);
                try {
                    consumer.commitSync(nextOffsets(polled));
                } catch (KafkaException e) {
                    // the partitions went to another writer, which writes the records again (same rows)
                    log.info("ingest writer's offsets not committed: {}", e.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("ingest writer stopped", e);
        }
    }

    /** Writes the polled records as one batch and answers them. */
    private void write(ConsumerRecords<byte[], byte[]> polled) throws InterruptedException {
        List<PendingMessage> batch = new ArrayList<>(polled.count());
        List<Taken> taken = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            List<PendingMessage> parts;
            try {
                parts = records.messages(record.value());
            } catch (IllegalArgumentException e) {
                log.warn("ingest record {}-{} not written: {}", record.partition(), record.offset(), e.getMessage());
                parts = List.of();
            }
            if (!parts.isEmpty()) {
                batch.add(parts.size() == 1 ? parts.get(0) : PendingMessage.whole(parts));
            }
            taken.add(new Taken(record.partition(), record.offset(), parts, isFromThisNode(record)));
        }
        try {
            writer.write(batch);
        } catch (RuntimeException e) {
            log.error("ingest writer error", e);
            writer.failAll(batch);
        }
        answer(taken);
    }

    private record Taken(int partition, long offset, List<PendingMessage> parts, boolean fromThisNode) {

        /** The parts' answers as codes, or null when every part was stored. */
        String exceptions() {
            if (parts.isEmpty()) {
                return String.valueOf(KafkaAnswers.FAILED);
            }
            StringBuilder codes = new StringBuilder(parts.size());
            for (PendingMessage m : parts) {
                codes.append(KafkaAnswers.code(m.result().getNow(BatchWriter.notStored())));
            }
            return codes.chars().allMatch(c -> c == KafkaAnswers.STORED) ? null : codes.toString();
        }
    }

    private void answer(List<Taken> taken) {
        Map<Integer, Long> upTo = new TreeMap<>();
        Map<Integer, Map<Long, String>> exceptions = new HashMap<>();
        boolean otherNodes = false;
        for (Taken t : taken) {
            upTo.merge(t.partition(), t.offset(), Math::max);
            exceptions.computeIfAbsent(t.partition(), p -> new TreeMap<>());
            String codes = t.exceptions();
            if (codes != null) {
                exceptions.get(t.partition()).put(t.offset(), codes);
            }
            otherNodes |= !t.fromThisNode();
        }
        upTo.forEach((partition, offset) -> answers.answered(partition, offset, exceptions.get(partition)));
        if (otherNodes) {
            announce(upTo, exceptions);
        }
    }

    /**
     * Tells the other nodes: {@code <node> <partition>:<up to>[:<offset>=<codes>,...] ...}, in as many
     * notifications as the payload limit needs.
     */
    private void announce(Map<Integer, Long> upTo, Map<Integer, Map<Long, String>> exceptions) {
        StringBuilder payload = new StringBuilder(node);
        for (Map.Entry<Integer, Long> partition : upTo.entrySet()) {
            StringBuilder word =
                    new StringBuilder().append(partition.getKey()).append(':').append(partition.getValue());
            String separator = ":";
            for (Map.Entry<Long, String> exception :
                    exceptions.get(partition.getKey()).entrySet()) {
                word.append(separator).append(exception.getKey()).append('=').append(exception.getValue());
                separator = ",";
            }
            if (payload.length() + 1 + word.length() > MAX_PAYLOAD && payload.length() > node.length()) {
                notifyNodes(payload.toString());
                payload = new StringBuilder(node);
            }
            payload.append(' ').append(word);
        }
        notifyNodes(payload.toString());
    }

    private void notifyNodes(String payload) {
        try {
            jdbc.sql("SELECT pg_notify(?, ?)")
                    .params(KafkaIngestQueue.ANSWERS_CHANNEL, payload)
                    .query(rs -> {});
        } catch (RuntimeException e) {
            // the other nodes' devices are told to retry when their answer timeout passes
            log.warn("could not tell the other nodes that their messages were written: {}", e.toString());
        }
    }

    private boolean isFromThisNode(ConsumerRecord<byte[], byte[]> record) {
        Header origin = record.headers().lastHeader(KafkaIngestQueue.ORIGIN);
        return origin != null && node.equals(new String(origin.value(), StandardCharsets.US_ASCII));
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> polled) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition partition : polled.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> ofPartition = polled.records(partition);
            next.put(
                    partition,
                    new OffsetAndMetadata(
                            ofPartition.get(ofPartition.size() - 1).offset() + 1));
        }
        return next;
    }
}

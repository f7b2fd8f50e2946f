package io.insa.iiot.ingest;

import io.insa.iiot.shared.ChannelListener;
import io.insa.iiot.shared.DedicatedConnections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest queue between nodes ({@code insa.queue=kafka}): this node puts each admitted message into
 * the ingest topic, keyed by device, and its writers ({@link KafkaIngestWriters}) take batches of the
 * partitions the consumer group gives them, from whichever node, to the {@link BatchWriter}. A
 * message is answered when its writer says so (by default after the commit, through {@link
 * KafkaAnswers}: at once when this node wrote it, else by a PostgreSQL notification from the node
 * that did), or with {@code insa.ingest.ack=queued} once Kafka holds it.
 */
final class KafkaIngestQueue implements IngestQueue {

    /** The Kafka header naming the node that admitted a record: its writer tells that node. */
    static final String ORIGIN = "insa-node";

    static final String ANSWERS_CHANNEL = "insa_ingest_answers";
    private static final Logger log = LoggerFactory.getLogger(KafkaIngestQueue.class);

    private final KafkaSettings settings;
    private final IngestProperties.Ack ack;
    private final Semaphore room;
    private final IngestBacklog backlog;
    private final KafkaAnswers answers;
    private final KafkaIngestWriters writers;
    private final ChannelListener answersOfOtherNodes;
    private final String node;
    private final byte[] origin;
    private KafkaProducer<byte[], byte[]> producer;
    private volatile boolean running;

    KafkaIngestQueue(
            KafkaSettings settings,
            IngestProperties.Ack ack,
            int capacity,
            IngestBacklog backlog,
            KafkaAnswers answers,
            KafkaIngestWriters writers,
            DedicatedConnections channels) {
        this.settings = settings;
        this.ack = ack;
        this.room = new Semaphore(capacity);
        this.backlog = backlog;
        this.answers = answers;
        this.writers = writers;
        this.node = writers.node();
        this.origin = node.getBytes(StandardCharsets.US_ASCII);
        this.answersOfOtherNodes = channels.listener(ANSWERS_CHANNEL, "insa-ingest-answers", this::answered, () -> {});
    }

    @Override
    public boolean offer(PendingMessage element, Duration timeout) throws InterruptedException {
        if (!running || !room.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        backlog.added(1);
        element.answered().whenComplete((r, e) -> {
            backlog.removed(1);
            room.release();
        });
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(settings.topic(), KafkaRecords.key(element), KafkaRecords.value(element));
        record.headers().add(ORIGIN, origin);
        try {
            producer.send(record, (metadata, failure) -> {
                if (failure != null) {
                    log.warn("ingest message not queued in Kafka: {}", failure.toString());
                    answerAll(element, BatchWriter.notStored());
                } else if (ack == IngestProperties.Ack.QUEUED) {
                    element.deviceMessages()
                            .forEach(m -> m.result().complete(new IngestResult.Accepted(m.pointCount())));
                } else {
                    answers.waitFor(metadata.partition(), metadata.offset(), element);
                }
            });
        } catch (RuntimeException e) { // no metadata in time, or the producer is closed
            log.warn("ingest message not queued in Kafka: {}", e.toString());
            answerAll(element, BatchWriter.notStored());
        }
        return true;
    }

    @Override
    public int remainingCapacity() {
        return room.availablePermits();
    }

    @Override
    public boolean accepting() {
        return running;
    }

    @Override
    public synchronized void start() {
        ensureTopic();
        Properties producerSettings = new Properties();
        producerSettings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        producerSettings.put(ProducerConfig.CLIENT_ID_CONFIG, "insa-ingest-" + node);
        producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
        producerSettings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerSettings.put(
                ProducerConfig.LINGER_MS_CONFIG, (int) settings.linger().toMillis());
        // a send waits this long at most for the topic's metadata: it runs on the transports' threads
        producerSettings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        producer = new KafkaProducer<>(producerSettings, new ByteArraySerializer(), new ByteArraySerializer());
        awaitTopicMetadata();
        answersOfOtherNodes.start(Duration.ofSeconds(10));
        writers.start();
        running = true;
    }

    /**
     * Stops after the transports: what this node put in is sent (for 5 s at most: a broker gone away
     * must not hold the stop for the producer's delivery timeout; what is not sent by then is answered
     * "retry"), its writers write what they took and commit their offsets (the rest goes to the other
     * nodes' writers, or to this one's next start).
     */
    @Override
    public synchronized void stop() {
        running = false;
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        writers.stop();
        answersOfOtherNodes.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return 0;
    }

    /**
     * The topic's partitions known to the producer before the first device's message: the first send
     * would otherwise fetch them on a transport's thread and give up after a second on a busy machine
     * (a node started into full load answered its first messages "retry" so).
     */
    private void awaitTopicMetadata() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                producer.partitionsFor(settings.topic());
                return;
            } catch (KafkaException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Kafka gave no metadata of the ingest topic " + settings.topic() + " in 30 s", e);
                }
            }
        }
    }

    private void ensureTopic() {
        Map<String, Object> adminSettings = new HashMap<>();
        adminSettings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        try (Admin admin = Admin.create(adminSettings)) {
            admin.createTopics(List.of(new NewTopic(
                            settings.topic(),
                            Optional.of(settings.partitions()),
                            Optional.of(settings.replicationFactor()))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            log.info(
                    "created the ingest topic {} ({} partitions, replication factor {})",
                    settings.topic(),
                    settings.partitions(),
                    settings.replicationFactor());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the ingest topic " + settings.topic(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the ingest topic", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at " + settings.bootstrapServers()
                            + " did not answer within 30 s (insa.kafka.bootstrap-servers)",
                    e);
        }
    }

    /**
     * Another node's writers answered: {@code <node> <partition>:<up to>[:<offset>=<codes>,...] ...}
     * (see {@link KafkaIngestWriters#announce}); this node's own are applied already.
     */
    private void answered(String payload) {
        String[] words = payload.split(" ");
        if (words.length < 2 || words[0].equals(node)) {
            return;
        }
        for (int i = 1; i < words.length; i++) {
            String[] fields = words[i].split(":", 3);
            Map<Long, String> exceptions = new HashMap<>();
            if (fields.length == 3) {
                for (String exception : fields[2].split(",")) {
                    String[] offsetAndCodes = exception.split("=", 2);
                    exceptions.put(Long.parseLong(offsetAndCodes[0]), offsetAndCodes[1]);
                }
            }
            answers.answered(Integer.parseInt(fields[0]), Long.parseLong(fields[1]), exceptions);
        }
    }

    private static void answerAll(PendingMessage element, IngestResult result) {
        element.deviceMessages().forEach(m -> m.result().complete(result));
    }
}

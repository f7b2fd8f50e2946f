package io.insa.iiot.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the ingest stream runs between nodes when {@code insa.queue=kafka} ({@code insa.kafka.*}).
 *
 * @param bootstrapServers the brokers to start from, {@code host:port[,host:port...]}
 * @param topic the ingest topic, created with {@code partitions} and {@code replicationFactor} when
 *     missing; records are keyed by device, so a device's messages stay in order
 * @param partitions the topic's partitions: the most writer threads of all nodes that can share it
 * @param replicationFactor copies of each partition (3 in production, 1 on a single broker)
 * @param consumerGroup the group of every node's writers
 * @param linger how long the producer waits to fill a request
 * @param sessionTimeout how long a node's writers may stay silent before the group gives their
 *     partitions to the other nodes' writers: how soon a node's death is noticed
 */
@ConfigurationProperties("insa.kafka")
record KafkaSettings(
        String bootstrapServers,
        String topic,
        int partitions,
        short replicationFactor,
        String consumerGroup,
        Duration linger,
        Duration sessionTimeout) {}

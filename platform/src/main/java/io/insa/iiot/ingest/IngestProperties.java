package io.insa.iiot.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the ingest pipeline ({@code insa.ingest.*}).
 *
 * @param maxPayloadBytes largest accepted message
 * @param maxPointsPerMessage most values in one message
 * @param maxFutureSkew how far ahead of the server clock a device timestamp may be
 * @param deviceMessagesPerSecond rate limit of each device (the tenant's is max_messages_per_second)
 * @param queueCapacity messages admitted but not yet written; beyond it, devices are told to retry
 * @param enqueueTimeout how long a transport waits for room in the queue
 * @param writerThreads batch writers, each writing one batch (one transaction) at a time
 * @param batchMaxMessages most messages in one batch
 * @param batchLinger how long a writer waits for more messages before it writes a batch
 * @param answerTimeout longest wait for a queued message's answer; after it the device is told to retry
 * @param queueHighWater fraction of the queue's capacity at which transports slow senders down: MQTT
 *     stops reading, AMQP stops granting credit, HTTP and CoAP answer 503 / 5.03
 * @param queueLowWater fraction of the capacity the queue must fall back to before they resume
 * @param ack when a device is acknowledged with {@code insa.queue=kafka}: {@code stored} (after the
 *     database commit, as on one node) or {@code queued} (once Kafka holds the message: sooner, and
 *     weaker: a message of a device deleted meanwhile is acknowledged and not stored)
 */
@ConfigurationProperties("insa.ingest")
record IngestProperties(
        int maxPayloadBytes,
        int maxPointsPerMessage,
        Duration maxFutureSkew,
        int deviceMessagesPerSecond,
        int queueCapacity,
        Duration enqueueTimeout,
        int writerThreads,
        int batchMaxMessages,
        Duration batchLinger,
        Duration answerTimeout,
        double queueHighWater,
        double queueLowWater,
        Ack ack) {

    /** When a device is acknowledged (see {@code ack}). */
    enum Ack {
        STORED,
        QUEUED
    }
}

package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.connector.opcua.OpcUaConnector;

/**
 * How often the server publishes a connector's subscription, and how many samples each monitored item queues between
 * two publishes. A server keeps only the item's queue of samples between publishes (one by default, the newest), so a
 * variable sampled faster than the subscription publishes would lose the samples in between, silently.
 */
final class Publishing {

    /** A connector without mappings or with only slow ones never publishes less often than this, nor much more. */
    static final double DEFAULT_INTERVAL_MS = 1000;
    /** The fastest automatic interval: faster samples wait in the queue (up to this long), they are not lost. */
    static final double MIN_AUTOMATIC_INTERVAL_MS = 100;
    /** A late publish the queue absorbs: one publishing interval, and at least this long. */
    static final double LATE_PUBLISH_MS = 1000;
    /** Servers keep queues in memory; beyond this the sampling interval is too fast for the publishing interval. */
    static final int MAX_QUEUE_SIZE = 1000;

    private Publishing() {}

    /**
     * The publishing interval to ask for: the connector's own when set, else its fastest sampling interval (a sampling
     * interval of 0, the server's fastest, counts as the minimum), between {@value #MIN_AUTOMATIC_INTERVAL_MS} ms and
     * {@value #DEFAULT_INTERVAL_MS} ms.
     */
    static double interval(OpcUaConnector connector) {
        if (connector.publishingIntervalMs() != null) {
            return connector.publishingIntervalMs();
        }
        double fastest = connector.mappings().stream()
                .mapToDouble(OpcUaConnector.Mapping::samplingIntervalMs)
                .min()
                .orElse(DEFAULT_INTERVAL_MS);
        return Math.clamp(fastest, MIN_AUTOMATIC_INTERVAL_MS, DEFAULT_INTERVAL_MS);
    }

    /**
     * An item's queue size: every sample of one publishing interval, and as many again for a publish that comes late
     * (at least {@value #LATE_PUBLISH_MS} ms worth), at least 2 and at most {@value #MAX_QUEUE_SIZE}. A sampling
     * interval of 0 (or less) is the server's fastest, unknown before the server revises it; it counts as 10 ms.
     */
    static int queueSize(double publishingMs, double samplingMs) {
        double sampling = samplingMs > 0 ? samplingMs : 10;
        double covered = publishingMs + Math.max(publishingMs, LATE_PUBLISH_MS);
        double samples = Math.ceil(covered / sampling);
        return (int) Math.clamp(samples, 2, MAX_QUEUE_SIZE);
    }
}

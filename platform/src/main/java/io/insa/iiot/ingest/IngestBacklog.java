package io.insa.iiot.ingest;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many admitted messages wait on this node: queued and not yet taken by a writer (in memory), or
 * put into Kafka and not yet answered. The transports' backpressure ({@link IngestPressure}) and the
 * queue depth gauge read it; the queue in use keeps it.
 */
final class IngestBacklog {

    private final AtomicInteger depth = new AtomicInteger();

    int depth() {
        return depth.get();
    }

    void added(int elements) {
        depth.addAndGet(elements);
    }

    void removed(int elements) {
        depth.addAndGet(-elements);
    }
}

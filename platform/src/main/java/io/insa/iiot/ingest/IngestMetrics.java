package io.insa.iiot.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;

/** Ingest rate, rejections by reason, queue depth, batch size and latency (SPEC 12). */
final class IngestMetrics {

    private final Counter points;
    private final Counter messages;
    private final Counter failures;
    private final Map<IngestResult.Reason, Counter> rejections = new EnumMap<>(IngestResult.Reason.class);
    private final DistributionSummary batchPoints;
    private final Counter heldBatches;
    private final Timer batchCommit;
    private final Timer endToEnd;
    private final MeterRegistry registry;

    IngestMetrics(MeterRegistry registry, IngestBacklog backlog) {
        this.registry = registry;
        points = Counter.builder("insa.ingest.points")
                .description("points stored")
                .register(registry);
        messages = Counter.builder("insa.ingest.messages")
                .description("messages stored")
                .register(registry);
        failures = Counter.builder("insa.ingest.failures")
                .description("messages not stored for a platform fault")
                .register(registry);
        for (IngestResult.Reason reason : IngestResult.Reason.values()) {
            rejections.put(
                    reason,
                    Counter.builder("insa.ingest.rejections")
                            .tag("reason", reason.name().toLowerCase())
                            .description("messages refused")
                            .register(registry));
        }
        heldBatches = Counter.builder("insa.ingest.batches.held")
                .description("batches held and retried because the database could not be reached")
                .register(registry);
        registry.gauge("insa.ingest.queue.depth", backlog, IngestBacklog::depth);
        batchPoints = DistributionSummary.builder("insa.ingest.batch.points").register(registry);
        batchCommit = Timer.builder("insa.ingest.batch.commit")
                .description("time to write and commit a batch")
                .register(registry);
        endToEnd = Timer.builder("insa.ingest.latency")
                .description("from admission to commit")
                .register(registry);
    }

    /** 1 while senders are slowed down (the queue is high or the database unreachable), else 0. */
    void pressure(IngestPressure pressure) {
        Gauge.builder("insa.ingest.queue.high", pressure, p -> p.isHigh() ? 1 : 0)
                .description("1 while transports slow senders down: the ingest queue is high or the database"
                        + " cannot be reached")
                .register(registry);
        Counter slowedDown = Counter.builder("insa.ingest.queue.high.entered")
                .description("times transports began slowing senders down")
                .register(registry);
        pressure.listen(slowedDown::increment, () -> {});
    }

    void heldForDatabase() {
        heldBatches.increment();
    }

    void rejected(IngestResult.Reason reason) {
        rejections.get(reason).increment();
    }

    void failed(int count) {
        failures.increment(count);
    }

    void committed(int messageCount, int pointCount, long commitNanos) {
        messages.increment(messageCount);
        points.increment(pointCount);
        batchPoints.record(pointCount);
        batchCommit.record(commitNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void delivered(long sinceEnqueueNanos) {
        endToEnd.record(sinceEnqueueNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}

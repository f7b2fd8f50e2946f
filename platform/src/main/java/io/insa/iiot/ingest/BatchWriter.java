package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.device.ReportedAttributes;
import io.insa.iiot.shared.DatabaseUnavailable;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.telemetry.TelemetryWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;

/**
 * Writes batches of admitted messages: telemetry through the {@link TelemetryWriter}, reported
 * attributes to the devices. Only after the commit are the messages' results completed, which is when
 * transports acknowledge; a device deleted meanwhile is refused. While the database is unreachable a
 * batch is held and retried with backoff; a message is answered "retry" only when its answer timeout
 * passes first or the batch fails for any other reason. Whichever {@link IngestQueue} holds the
 * messages brings it the batches.
 */
final class BatchWriter {

    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(2);

    private final TelemetryWriter telemetry;
    private final DeviceAttributes devices;
    private final IngestPressure pressure;
    private final IngestMetrics metrics;

    BatchWriter(TelemetryWriter telemetry, DeviceAttributes devices, IngestPressure pressure, IngestMetrics metrics) {
        this.telemetry = telemetry;
        this.devices = devices;
        this.pressure = pressure;
        this.metrics = metrics;
    }

    /** Another node writes some of the devices from now on: {@link TelemetryWriter#handOverEvaluations}. */
    boolean handOverEvaluations(Duration patience) {
        return telemetry.handOverEvaluations(patience);
    }

    /**
     * Writes a batch and completes every message's result. A database that cannot be reached is waited
     * for, the batch held, as long as some of its messages still wait for their answer; any other
     * failure answers the messages not yet answered with "retry".
     */
    void write(List<PendingMessage> batch) throws InterruptedException {
        Duration backoff = FIRST_RETRY;
        boolean holding = false;
        try {
            while (true) {
                List<PendingMessage> waiting = stillWaiting(batch);
                if (waiting.isEmpty()) {
                    return;
                }
                try {
                    store(waiting);
                    return;
                } catch (RuntimeException e) {
                    String cause = NestedExceptionUtils.getMostSpecificCause(e).getMessage();
                    if (!DatabaseUnavailable.isCauseOf(e)) {
                        log.warn("ingest batch of {} messages not stored: {}", waiting.size(), cause, e);
                        fail(waiting);
                        return;
                    }
                    if (!holding) {
                        holding = true;
                        pressure.databaseUnreachable(true);
                        metrics.heldForDatabase();
                        log.warn("database unreachable ({}); holding a batch of {} messages", cause, waiting.size());
                    }
                    Thread.sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(LONGEST_RETRY) > 0
                            ? LONGEST_RETRY
                            : backoff.multipliedBy(2);
                }
            }
        } catch (InterruptedException e) {
            fail(deviceMessages(batch));
            throw e;
        } finally {
            if (holding) {
                pressure.databaseUnreachable(false);
            }
        }
    }

    /**
     * The device messages still waiting for their answer. A message of several devices waits as a
     * whole: once one part was answered (its answer timeout passed), the rest are told to retry too.
     */
    private List<PendingMessage> stillWaiting(List<PendingMessage> batch) {
        List<PendingMessage> waiting = new ArrayList<>(batch.size());
        for (PendingMessage element : batch) {
            List<PendingMessage> parts = element.deviceMessages();
            if (parts.stream().noneMatch(m -> m.result().isDone())) {
                waiting.addAll(parts);
            } else {
                fail(parts);
            }
        }
        return waiting;
    }

    /** Tells every device message of the batch not answered yet to retry: whatever threw, none waits forever. */
    void failAll(List<PendingMessage> batch) {
        fail(deviceMessages(batch));
    }

    /** The batch with every message admitted whole opened into its device messages. */
    private static List<PendingMessage> deviceMessages(List<PendingMessage> batch) {
        List<PendingMessage> flat = new ArrayList<>(batch.size());
        for (PendingMessage m : batch) {
            flat.addAll(m.deviceMessages());
        }
        return flat;
    }

    /** Commits telemetry, then attributes; each message is answered as soon as its own commit is done. */
    private void store(List<PendingMessage> messages) {
        long started = System.nanoTime();
        Map<TelemetryWriter.Readings, PendingMessage> readings = new IdentityHashMap<>();
        Map<TenantId, List<ReportedAttributes>> attributes = new LinkedHashMap<>();
        Map<ReportedAttributes, PendingMessage> reports = new IdentityHashMap<>();
        for (PendingMessage m : messages) {
            if (m.points() != null) {
                readings.put(new TelemetryWriter.Readings(m.device(), m.receivedAt(), m.points(), m.reservation()), m);
            } else {
                ReportedAttributes report = new ReportedAttributes(m.device(), m.attributes(), m.receivedAt());
                attributes
                        .computeIfAbsent(m.device().tenantId(), t -> new ArrayList<>())
                        .add(report);
                reports.put(report, m);
            }
        }
        if (!readings.isEmpty()) {
            TelemetryWriter.Outcome outcome = telemetry.commit(List.copyOf(readings.keySet()));
            long committed = System.nanoTime();
            metrics.committed(outcome.stored().size(), outcome.points(), committed - started);
            outcome.stored().forEach(r -> accepted(readings.get(r), committed));
            outcome.ofDeletedDevices().forEach(r -> deviceDeleted(readings.get(r)));
        }
        if (!attributes.isEmpty()) {
            Set<UUID> gone = devices.storeReported(attributes);
            long committed = System.nanoTime();
            reports.forEach((report, m) -> {
                if (gone.contains(report.device().deviceId())) {
                    deviceDeleted(m);
                } else {
                    accepted(m, committed);
                }
            });
        }
    }

    private void accepted(PendingMessage m, long committedNanos) {
        metrics.delivered(committedNanos - m.enqueuedNanos());
        m.result().complete(new IngestResult.Accepted(m.pointCount()));
    }

    private void deviceDeleted(PendingMessage m) {
        m.result().complete(deviceDeleted());
        metrics.rejected(IngestResult.Reason.DEVICE_DELETED);
    }

    /** The answer to a message of a device deleted while it was on its way. */
    static IngestResult deviceDeleted() {
        return new IngestResult.Rejected(IngestResult.Reason.DEVICE_DELETED, "the device was deleted", null);
    }

    /** The answer to a message the platform failed to store: the device should send it again. */
    static IngestResult notStored() {
        return new IngestResult.Failed("the platform could not store the message; retry", RETRY_AFTER_FAILURE);
    }

    /** Tells every device of the messages not answered yet to retry (their quota reservations go back). */
    private void fail(List<PendingMessage> messages) {
        int failed = 0;
        for (PendingMessage m : messages) {
            if (m.result().complete(notStored())) {
                failed++;
            }
        }
        metrics.failed(failed);
    }
}

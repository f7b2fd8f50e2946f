package io.insa.iiot.ingest;

import io.insa.iiot.device.Devices;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.Point;
import io.insa.iiot.telemetry.TelemetryCommitted;
import io.insa.iiot.telemetry.TelemetryPartitions;
import io.insa.iiot.telemetry.TelemetryRows;
import io.insa.iiot.telemetry.TelemetryStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.NestedExceptionUtils;

/**
 * Drains the ingest queue in batches and writes each batch in one transaction, visiting each tenant of
 * the batch under its own row-level security context. Only after the commit are the messages'
 * results completed, which is when transports acknowledge. A batch that fails is reported as failed
 * (the devices retry) and its points are given back to the daily quota. Messages of devices deleted
 * while they were on their way are refused, not written: the writer checks under the deletion
 * barrier that its devices still exist.
 */
final class BatchWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);

    /** A tenant's part of a batch. */
    private static final class TenantShare {
        final List<PendingMessage> messages = new ArrayList<>();
        TelemetryRows rows;
        Map<LocalDate, long[]> usage;
        /** sorted, so that concurrent batches update device rows in the same order */
        Map<UUID, Instant> seen;

        List<PendingMessage> attributes;
        List<PendingMessage> written;
        /** messages of devices deleted meanwhile */
        List<PendingMessage> gone;

        int points;

        Set<UUID> devices() {
            Set<UUID> ids = new HashSet<>();
            messages.forEach(m -> ids.add(m.device().deviceId()));
            return ids;
        }

        /** What the transaction writes: the messages of the devices that still exist. */
        void prepare(Set<UUID> existing) {
            rows = new TelemetryRows();
            usage = new HashMap<>();
            seen = new TreeMap<>();
            attributes = new ArrayList<>();
            written = new ArrayList<>();
            gone = new ArrayList<>();
            points = 0;
            for (PendingMessage m : messages) {
                if (!existing.contains(m.device().deviceId())) {
                    gone.add(m);
                    continue;
                }
                written.add(m);
                seen.merge(m.device().deviceId(), m.receivedAt(), (a, b) -> a.isAfter(b) ? a : b);
                if (m.attributes() != null) {
                    attributes.add(m);
                    continue;
                }
                for (Point p : m.points()) {
                    rows.add(m.device().deviceId(), m.keyIds().get(p.key()), p.ts(), p.value());
                }
                long[] counts = usage.computeIfAbsent(m.admission().day(), d -> new long[2]);
                counts[0] += m.pointCount();
                counts[1]++;
                points += m.pointCount();
            }
        }
    }

    private final BlockingQueue<PendingMessage> queue;
    private final TenantTransactions transactions;
    private final TelemetryStore store;
    private final TelemetryPartitions partitions;
    private final DailyQuota quota;
    private final Devices devices;
    private final IngestMetrics metrics;
    private final ApplicationEventPublisher events;
    private final int threads;
    private final int batchMaxMessages;
    private final long lingerNanos;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;

    BatchWriter(
            BlockingQueue<PendingMessage> queue,
            TenantTransactions transactions,
            TelemetryStore store,
            TelemetryPartitions partitions,
            DailyQuota quota,
            Devices devices,
            IngestMetrics metrics,
            ApplicationEventPublisher events,
            int threads,
            int batchMaxMessages,
            Duration linger) {
        this.lingerNanos = linger.toNanos();
        this.queue = queue;
        this.transactions = transactions;
        this.store = store;
        this.partitions = partitions;
        this.quota = quota;
        this.devices = devices;
        this.metrics = metrics;
        this.events = events;
        this.threads = threads;
        this.batchMaxMessages = batchMaxMessages;
    }

    @Override
    public synchronized void start() {
        running = true;
        for (int i = 0; i < threads; i++) {
            Thread worker =
                    Thread.ofPlatform().name("ingest-writer-" + i).daemon(false).start(this::run);
            workers.add(worker);
        }
    }

    /** Stops after the queue is drained: what was admitted is written before the process ends. */
    @Override
    public synchronized void stop() {
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

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server and transports (higher phases) stopped taking messages. */
    @Override
    public int getPhase() {
        return 0;
    }

    boolean accepting() {
        return running;
    }

    private void run() {
        List<PendingMessage> batch = new ArrayList<>(batchMaxMessages);
        while (running || !queue.isEmpty()) {
            try {
                PendingMessage first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchMaxMessages - 1);
                linger(batch);
                write(devicesMessages(batch));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("ingest writer error", e);
                fail(devicesMessages(batch)); // whatever threw, no admitted message is left without an answer
            } finally {
                batch.clear();
            }
        }
    }

    /** The batch with every message admitted whole opened into its device messages, all in this batch. */
    private static List<PendingMessage> devicesMessages(List<PendingMessage> batch) {
        if (batch.stream().allMatch(m -> m.parts() == null)) {
            return batch;
        }
        List<PendingMessage> flat = new ArrayList<>(batch.size());
        for (PendingMessage m : batch) {
            if (m.parts() == null) {
                flat.add(m);
            } else {
                flat.addAll(m.parts());
            }
        }
        return flat;
    }

    /** Waits up to the linger for more messages: fewer, bigger transactions under load. */
    private void linger(List<PendingMessage> batch) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        long remaining;
        while (batch.size() < batchMaxMessages && (remaining = deadline - System.nanoTime()) > 0) {
            PendingMessage next = queue.poll(remaining, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, batchMaxMessages - batch.size());
        }
    }

    /**
     * Writes a batch and completes every message's result: accepted after the commit, refused for a
     * device deleted meanwhile, failed (quota given back) when anything on the way throws, the grouping
     * and the partition DDL included.
     */
    void write(List<PendingMessage> batch) {
        long started = System.nanoTime();
        Collection<TenantShare> shares;
        try {
            shares = store(batch);
        } catch (RuntimeException e) {
            log.warn(
                    "ingest batch of {} messages not stored: {}",
                    batch.size(),
                    NestedExceptionUtils.getMostSpecificCause(e).getMessage(),
                    e);
            fail(batch);
            return;
        }
        long now = System.nanoTime();
        int points = 0;
        int stored = 0;
        for (TenantShare share : shares) {
            points += share.points;
            stored += share.written.size();
            for (PendingMessage m : share.gone) {
                boolean answered = m.result()
                        .complete(new IngestResult.Rejected(
                                IngestResult.Reason.DEVICE_DELETED, "the device was deleted", null));
                if (answered && m.admission() != null) {
                    quota.giveBack(m.admission());
                }
                metrics.rejected(IngestResult.Reason.DEVICE_DELETED);
            }
        }
        metrics.committed(stored, points, now - started);
        List<TelemetryCommitted.DevicePoints> committed = new ArrayList<>(stored);
        for (TenantShare share : shares) {
            for (PendingMessage m : share.written) {
                metrics.delivered(now - m.enqueuedNanos());
                m.result().complete(new IngestResult.Accepted(m.pointCount()));
                if (m.points() != null) {
                    committed.add(new TelemetryCommitted.DevicePoints(m.device(), m.points()));
                }
            }
        }
        publishCommitted(committed);
    }

    /** Hands the committed points to whoever evaluates them; the devices have had their answers. */
    private void publishCommitted(List<TelemetryCommitted.DevicePoints> committed) {
        if (committed.isEmpty()) {
            return;
        }
        try {
            events.publishEvent(new TelemetryCommitted(committed));
        } catch (RuntimeException e) {
            log.error("committed telemetry not handed on for evaluation", e);
        }
    }

    /** Groups the batch per tenant and commits it in one transaction; the tenants' shares as written. */
    private Collection<TenantShare> store(List<PendingMessage> batch) {
        // tenants in a fixed order too: two batches never lock each other's rows crosswise
        Map<TenantId, TenantShare> shares = new TreeMap<>(Comparator.comparing(TenantId::value));
        for (PendingMessage m : batch) {
            shares.computeIfAbsent(m.device().tenantId(), t -> new TenantShare())
                    .messages
                    .add(m);
            if (m.points() != null) {
                for (Point p : m.points()) {
                    partitions.ensure(LocalDate.ofInstant(p.ts(), ZoneOffset.UTC));
                }
            }
        }
        transactions.inEachTenant(shares.keySet(), tenant -> {
            TenantShare share = shares.get(tenant);
            share.prepare(devices.existingForWrite(tenant, share.devices()));
            store.write(tenant, share.rows);
            share.usage.forEach((day, usage) -> store.addUsage(tenant, day, usage[0], usage[1]));
            UUID[] ids = share.seen.keySet().toArray(UUID[]::new);
            devices.recordSeen(tenant, ids, share.seen.values().toArray(Instant[]::new));
            for (PendingMessage m : share.attributes) {
                devices.storeAttributes(
                        tenant,
                        m.device().deviceId(),
                        m.attributes(),
                        OffsetDateTime.ofInstant(m.receivedAt(), ZoneOffset.UTC));
            }
        });
        return shares.values();
    }

    /** Tells every device of the batch to retry; gives back the quota of those not answered yet. */
    private void fail(List<PendingMessage> batch) {
        metrics.failed(batch.size());
        for (PendingMessage m : batch) {
            boolean answered = m.result()
                    .complete(new IngestResult.Failed(
                            "the platform could not store the message; retry", RETRY_AFTER_FAILURE));
            if (answered && m.admission() != null) {
                quota.giveBack(m.admission());
            }
        }
    }
}

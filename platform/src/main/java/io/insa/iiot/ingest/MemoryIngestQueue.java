package io.insa.iiot.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single node's queue (SPEC 2: the default): a bounded queue in memory, drained by writer threads
 * that each take a batch (up to a count, or whatever arrived within the linger) to the {@link
 * BatchWriter}.
 */
final class MemoryIngestQueue implements IngestQueue {

    private static final Logger log = LoggerFactory.getLogger(MemoryIngestQueue.class);

    private final BlockingQueue<PendingMessage> queue;
    private final BatchWriter writer;
    private final IngestBacklog backlog;
    private final int threads;
    private final int batchMaxMessages;
    private final long lingerNanos;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;

    MemoryIngestQueue(
            int capacity,
            BatchWriter writer,
            IngestBacklog backlog,
            int threads,
            int batchMaxMessages,
            Duration linger) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = writer;
        this.backlog = backlog;
        this.threads = threads;
        this.batchMaxMessages = batchMaxMessages;
        this.lingerNanos = linger.toNanos();
    }

    @Override
    public boolean offer(PendingMessage element, Duration timeout) throws InterruptedException {
        if (!running) {
            return false;
        }
        backlog.added(1); // before: a writer may take it at once
        boolean queued = false;
        try {
            queued = queue.offer(element, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (!queued) {
                backlog.removed(1);
            }
        }
        return queued;
    }

    @Override
    public int remainingCapacity() {
        return queue.remainingCapacity();
    }

    @Override
    public boolean accepting() {
        return running;
    }

    @Override
    public synchronized void start() {
        running = true;
        for (int i = 0; i < threads; i++) {
            workers.add(
                    Thread.ofPlatform().name("ingest-writer-" + i).daemon(false).start(this::drain));
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

    private void drain() {
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
                backlog.removed(batch.size());
                writer.write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("ingest writer error", e);
                writer.failAll(batch);
            } finally {
                batch.clear();
            }
        }
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
}

package io.insa.iiot.ingest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Whether ingest holds too many messages to take more (SPEC 11: slow the senders, do not drop them).
 * The depth is what the queue holds plus what transports have read and are still admitting (parse,
 * limits, quota: that work waits for a CPU under overload, and counting only the queue would let
 * reads go on until the admitted backlog overflows the queue). High from the moment the depth
 * reaches {@code highWater} until it is down to {@code lowWater}; the gap keeps transports from
 * flipping on every message. Socket transports
 * stop reading (MQTT) or stop granting credit (AMQP) while it is high; request transports answer
 * 503 / 5.03 with a retry time.
 *
 * <p>While the database is unreachable ({@link #databaseUnreachable}) the writers hold their batches
 * and retry, and ingest is high too: socket transports keep their connections but read nothing new.
 * Request transports refuse only for the queue ({@link #isQueueHigh()}); during an outage they hold
 * the request until its answer, which the answer timeout bounds.
 *
 * <p>The depth is sampled every {@value #SAMPLE_MILLIS} ms (the queue drains without telling anyone),
 * and checked on every admission against the high-water mark. Crossings are reported under one lock,
 * in order, on the thread that saw them; listeners must not block.
 */
public final class IngestPressure implements AutoCloseable {

    /** Fast enough that the room above the high-water mark absorbs what arrives meanwhile. */
    static final long SAMPLE_MILLIS = 5;

    static final Duration LONGEST_CATCH_UP = Duration.ofMinutes(1);

    private final IntSupplier depth;
    private final int highWater;
    private final int lowWater;
    private final List<Runnable> onHigh = new CopyOnWriteArrayList<>();
    private final List<Runnable> onLow = new CopyOnWriteArrayList<>();
    private final AtomicInteger admitting = new AtomicInteger();
    /** writers holding a batch the database did not take */
    private final AtomicInteger holding = new AtomicInteger();

    /** when the current outage began, and until when ingest catches up after the last one (nanoTime) */
    private long outageStarted;

    private volatile long catchUpUntil = System.nanoTime();
    private volatile boolean queueHigh;
    private volatile boolean high;
    private ScheduledExecutorService sampler;

    /** @param depth the queue's current size; {@code lowWater < highWater} */
    public IngestPressure(IntSupplier depth, int highWater, int lowWater) {
        if (lowWater < 0 || lowWater >= highWater) {
            throw new IllegalArgumentException(
                    "the low-water mark (" + lowWater + ") must be below the high-water mark (" + highWater + ")");
        }
        this.depth = depth;
        this.highWater = highWater;
        this.lowWater = lowWater;
    }

    /**
     * A transport has read a message and hands it to ingest: it counts until its admission ended. The
     * high-water mark is checked here at once, not only at the next sample: after a resume thousands
     * of connections deliver what waited in their sockets within one sample period, and each must
     * see the mark as soon as it is crossed. Returns {@link #isHigh()}.
     */
    public boolean admissionStarted() {
        int now = admitting.incrementAndGet();
        if (!high && now + depth.getAsInt() >= highWater) {
            sample();
        }
        return high;
    }

    /** The message is queued, refused or failed: {@link Ingest} returned its future. */
    public void admissionEnded() {
        admitting.decrementAndGet();
    }

    /**
     * True while the queue is above the high-water mark and not yet back to the low-water mark, or the
     * database is unreachable: socket transports read nothing new.
     */
    public boolean isHigh() {
        return high;
    }

    /** True while the queue is above the high-water mark and not yet back to the low-water mark. */
    public boolean isQueueHigh() {
        return queueHigh;
    }

    /**
     * A writer found the database unreachable and holds its batch (true), or no longer (false); calls
     * come in pairs.
     */
    public synchronized void databaseUnreachable(boolean unreachable) {
        int before = holding.getAndAdd(unreachable ? 1 : -1);
        long now = System.nanoTime();
        if (unreachable && before == 0) {
            outageStarted = now;
        } else if (!unreachable && before == 1) {
            // the backlog of an outage is read at the platform's pace, which is faster than the devices'
            catchUpUntil = now + Math.min(now - outageStarted, LONGEST_CATCH_UP.toNanos());
        }
        sample();
    }

    /**
     * True during an outage and, after it, for as long as it lasted (at most {@link
     * #LONGEST_CATCH_UP}): what devices send then was mostly held back by the outage.
     */
    public boolean catchingUp() {
        return holding.get() > 0 || System.nanoTime() - catchUpUntil < 0;
    }

    /** {@code onHigh} runs when the queue reaches the high-water mark, {@code onLow} when it is back to the low one. */
    public void listen(Runnable onHigh, Runnable onLow) {
        this.onHigh.add(onHigh);
        this.onLow.add(onLow);
    }

    /** Reads the depth once and reports a crossing; called by the sampler (and by tests). */
    public synchronized void sample() {
        int now = depth.getAsInt() + admitting.get();
        if (!queueHigh && now >= highWater) {
            queueHigh = true;
        } else if (queueHigh && now <= lowWater) {
            queueHigh = false;
        }
        boolean shouldBeHigh = queueHigh || holding.get() > 0;
        if (shouldBeHigh != high) {
            high = shouldBeHigh;
            (high ? onHigh : onLow).forEach(IngestPressure::run);
        }
    }

    private static void run(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(IngestPressure.class).error("ingest pressure listener failed", e);
        }
    }

    synchronized void start() {
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ingest-pressure");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleWithFixedDelay(this::sample, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
    }

    /** The marks as counts of messages, from fractions of the queue's capacity. */
    static IngestPressure of(IntSupplier depth, int capacity, double highWater, double lowWater) {
        if (!(highWater > 0 && highWater <= 1 && lowWater >= 0 && lowWater < highWater)) {
            throw new IllegalArgumentException("insa.ingest.queue-high-water and -low-water are fractions of the"
                    + " queue capacity with 0 <= low < high <= 1, not " + highWater + " / " + lowWater);
        }
        return new IngestPressure(
                depth, Math.max(1, (int) Math.round(capacity * highWater)), (int) Math.round(capacity * lowWater));
    }
}

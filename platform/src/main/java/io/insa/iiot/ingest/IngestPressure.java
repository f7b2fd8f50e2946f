package io.insa.iiot.ingest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Whether the ingest queue is too full to take more (SPEC 11: slow the senders, do not drop them).
 * High from the moment the queue holds {@code highWater} messages until it is down to
 * {@code lowWater}; the gap keeps transports from flipping on every message. Socket transports
 * stop reading (MQTT) or stop granting credit (AMQP) while it is high; request transports answer
 * 503 / 5.03 with a retry time.
 *
 * <p>The depth is sampled every {@value #SAMPLE_MILLIS} ms on one thread rather than on every
 * enqueue: crossings are then reported in order from one place, a crossing is never lost between two
 * racing queue operations, and the queue's own code stays as it is. Listeners run on that thread and
 * must not block.
 */
public final class IngestPressure implements AutoCloseable {

    /** Fast enough that the room above the high-water mark absorbs what arrives meanwhile. */
    static final long SAMPLE_MILLIS = 5;

    private final IntSupplier depth;
    private final int highWater;
    private final int lowWater;
    private final List<Runnable> onHigh = new CopyOnWriteArrayList<>();
    private final List<Runnable> onLow = new CopyOnWriteArrayList<>();
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

    /** True while the queue is above the high-water mark and not yet back to the low-water mark. */
    public boolean isHigh() {
        return high;
    }

    /** {@code onHigh} runs when the queue reaches the high-water mark, {@code onLow} when it is back to the low one. */
    public void listen(Runnable onHigh, Runnable onLow) {
        this.onHigh.add(onHigh);
        this.onLow.add(onLow);
    }

    /** Reads the depth once and reports a crossing; called by the sampler (and by tests). */
    public synchronized void sample() {
        int now = depth.getAsInt();
        if (!high && now >= highWater) {
            high = true;
            onHigh.forEach(IngestPressure::run);
        } else if (high && now <= lowWater) {
            high = false;
            onLow.forEach(IngestPressure::run);
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

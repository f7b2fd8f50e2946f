package io.insa.iiot.shared;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Work about devices handed from committed telemetry to a feature that judges it (rules, anomaly
 * scores): every device hashes to one lane, a thread with its bounded queue, so a device's work is
 * done one item at a time, in the order it was handed over, by a worker that may keep the device's
 * state in memory without locks. The hand-off waits at most {@link #HAND_OVER_TIMEOUT} for room in a
 * lane; work that finds none is dropped and counted, so a stalled lane never holds up the others.
 * When the devices may be judged on another node from now on, {@link #release()} has each worker save
 * and forget what it holds, in order with the work handed over before.
 */
public final class DeviceLanes<W> {

    private static final Logger log = LoggerFactory.getLogger(DeviceLanes.class);

    /** How long the hand-off may wait for room in a lane before the work is dropped. */
    public static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(5);

    /** One lane's worker: called on the lane's thread only. */
    public interface Worker<W> {
        /** Some queued work, in order (up to the batch size). */
        void handle(List<W> work);

        /** Called when the queue stayed empty for a while, and once more before the lane stops. */
        default void idle() {}

        /**
         * Saves what must survive of the devices' state, then forgets it all: another node may judge
         * them from now on, and this one loads their state again from the database when it next does.
         */
        default void release() {}
    }

    /** Asks a lane to release its devices once it has done the work queued before. */
    private record Release(CompletableFuture<Void> done) {}

    /**
     * @param name the lane threads' name
     * @param lanes how many lanes (at least one)
     * @param capacity work items one lane's queue holds
     * @param batch most items a worker is handed at once
     * @param patience how long a stopping lane may take to finish what it holds
     */
    public record Setup(String name, int lanes, int capacity, int batch, Duration patience) {}

    /**
     * @param queueDepth the gauge of work waiting in all lanes
     * @param dropped the counter of dropped work, in the units {@code size} gives one item
     */
    public record Meters<W>(MeterRegistry registry, String queueDepth, String dropped, ToIntFunction<W> size) {}

    /**
     * A feature whose work runs on lanes: its lifecycle is theirs. It stops after the ingest writers and
     * the hand-off of committed telemetry (lower phases), judging what they handed over before.
     */
    public interface Owner extends SmartLifecycle {
        DeviceLanes<?> lanes();

        @Override
        default void start() {
            lanes().start();
        }

        @Override
        default void stop() {
            lanes().stop();
        }

        @Override
        default boolean isRunning() {
            return lanes().isRunning();
        }

        @Override
        default int getPhase() {
            return -100;
        }
    }

    private final Setup setup;
    private final Counter dropped;
    private final ToIntFunction<W> size;
    /** Each lane's work items ({@code W}) and releases, in order. */
    private final List<BlockingQueue<Object>> queues = new ArrayList<>();

    private final List<Worker<W>> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public DeviceLanes(Setup setup, Meters<W> meters, IntFunction<Worker<W>> workers) {
        this.setup = setup;
        for (int i = 0; i < Math.max(1, setup.lanes()); i++) {
            queues.add(new ArrayBlockingQueue<>(setup.capacity()));
            this.workers.add(workers.apply(i));
        }
        this.dropped = meters.registry().counter(meters.dropped());
        this.size = meters.size();
        meters.registry().gauge(meters.queueDepth(), this, DeviceLanes::queued);
    }

    /** Queues the work on the device's lane, or drops and counts it when the lane stays full. */
    public void hand(UUID device, W work) {
        boolean queued;
        try {
            queued = queues.get(Math.floorMod(device.hashCode(), queues.size()))
                    .offer(work, HAND_OVER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queued = false;
        }
        if (!queued) {
            dropped.increment(size.applyAsInt(work));
            log.warn("{} work of device {} dropped: its lane stayed full", setup.name(), device);
        }
    }

    /**
     * Has every lane's worker {@link Worker#release() release} its devices after the work queued before
     * it; completes when all have. Completes at once when the lanes do not run.
     */
    public CompletableFuture<Void> release() {
        if (!running) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (BlockingQueue<Object> queue : queues) {
            Release release = new Release(new CompletableFuture<>());
            try {
                if (!queue.offer(release, HAND_OVER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    release.done().completeExceptionally(new IllegalStateException(setup.name() + " lane stayed full"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                release.done().completeExceptionally(e);
            }
            released.add(release.done());
        }
        return CompletableFuture.allOf(released.toArray(CompletableFuture[]::new));
    }

    public int queued() {
        return queues.stream().mapToInt(BlockingQueue::size).sum();
    }

    public synchronized void start() {
        running = true;
        for (int i = 0; i < queues.size(); i++) {
            int lane = i;
            threads.add(Thread.ofPlatform()
                    .name(setup.name() + "-" + i)
                    .daemon(true)
                    .start(() -> run(lane)));
        }
    }

    /** Stops taking new work; each lane finishes what it holds (up to the setup's patience). */
    public synchronized void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(setup.patience().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    public boolean isRunning() {
        return running;
    }

    @SuppressWarnings("unchecked") // the queue holds W and Release only
    private void run(int lane) {
        BlockingQueue<Object> queue = queues.get(lane);
        Worker<W> worker = workers.get(lane);
        List<Object> taken = new ArrayList<>(setup.batch());
        List<W> work = new ArrayList<>(setup.batch());
        while (running || !queue.isEmpty()) {
            try {
                Object first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    worker.idle();
                    continue;
                }
                taken.add(first);
                queue.drainTo(taken, setup.batch() - 1);
                for (Object item : taken) {
                    if (item instanceof Release release) {
                        handle(lane, worker, work);
                        release(lane, worker, release);
                    } else {
                        work.add((W) item);
                    }
                }
                handle(lane, worker, work);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                log.error("{} lane {} failed while idle", setup.name(), lane, e);
            } finally {
                taken.clear();
            }
        }
        // a release that came after the last work: nothing more is judged here
        queue.stream().filter(Release.class::isInstance).forEach(r -> release(lane, worker, (Release) r));
        try {
            worker.idle();
        } catch (RuntimeException e) {
            log.error("{} lane {} failed while stopping", setup.name(), lane, e);
        }
    }

    private void handle(int lane, Worker<W> worker, List<W> work) {
        if (work.isEmpty()) {
            return;
        }
        try {
            worker.handle(work);
        } catch (RuntimeException e) {
            log.error("{} lane {} failed on its work", setup.name(), lane, e);
        } finally {
            work.clear();
        }
    }

    private void release(int lane, Worker<W> worker, Release release) {
        try {
            worker.release();
            release.done().complete(null);
        } catch (RuntimeException e) {
            log.error("{} lane {} failed to release its devices", setup.name(), lane, e);
            release.done().completeExceptionally(e);
        }
    }
}

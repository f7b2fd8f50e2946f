package io.insa.iiot.shared;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work about devices handed from the ingest writer to a feature that judges committed data (rules,
 * anomaly scores): every device hashes to one lane, a thread with its bounded queue, so a device's
 * work is done one item at a time, in the order it was handed over, by a worker that may keep the
 * device's state in memory without locks.
 */
public final class DeviceLanes<W> {

    private static final Logger log = LoggerFactory.getLogger(DeviceLanes.class);

    /** One lane's worker: called on the lane's thread only. */
    public interface Worker<W> {
        /** Some queued work, in order (up to the batch size). */
        void handle(List<W> work);

        /** Called when the queue stayed empty for a while, and once more before the lane stops. */
        default void idle() {}
    }

    private final String name;
    private final int batch;
    private final List<BlockingQueue<W>> queues = new ArrayList<>();
    private final List<Worker<W>> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public DeviceLanes(String name, int lanes, int capacity, int batch, IntFunction<Worker<W>> workers) {
        this.name = name;
        this.batch = batch;
        for (int i = 0; i < Math.max(1, lanes); i++) {
            queues.add(new ArrayBlockingQueue<>(capacity));
            this.workers.add(workers.apply(i));
        }
    }

    /** Queues the work on the device's lane; false when the lane stayed full for {@code wait}. */
    public boolean hand(UUID device, W work, Duration wait) {
        try {
            return queues.get(Math.floorMod(device.hashCode(), queues.size()))
                    .offer(work, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int queued() {
        return queues.stream().mapToInt(BlockingQueue::size).sum();
    }

    public synchronized void start() {
        running = true;
        for (int i = 0; i < queues.size(); i++) {
            int lane = i;
            threads.add(Thread.ofPlatform().name(name + "-" + i).daemon(true).start(() -> run(lane)));
        }
    }

    /** Stops taking new work; each lane finishes what it holds (up to {@code patience}). */
    public synchronized void stop(Duration patience) {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(patience.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    public boolean isRunning() {
        return running;
    }

    private void run(int lane) {
        BlockingQueue<W> queue = queues.get(lane);
        Worker<W> worker = workers.get(lane);
        List<W> work = new ArrayList<>(batch);
        while (running || !queue.isEmpty()) {
            try {
                W first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    worker.idle();
                    continue;
                }
                work.add(first);
                queue.drainTo(work, batch - 1);
                worker.handle(work);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                log.error("{} lane {} failed on its work", name, lane, e);
            } finally {
                work.clear();
            }
        }
        try {
            worker.idle();
        } catch (RuntimeException e) {
            log.error("{} lane {} failed while stopping", name, lane, e);
        }
    }
}

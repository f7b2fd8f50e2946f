package io.insa.iiot.telemetry;

import io.insa.iiot.shared.DeviceLanes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Carries committed telemetry from the writers to its listeners (rules, anomaly scores, live views)
 * on a thread of its own, in commit order: a listener that stalls holds up evaluation, never the
 * write. When the hand-off is full, the batch is not evaluated and its points are counted in {@code
 * insa.telemetry.evaluations.dropped}; the data itself is stored. When this node stops writing some
 * devices' telemetry, {@link #release()} has the evaluators release every device's state, once they
 * have judged what was committed before: the node that writes them next judges them on from the
 * database.
 */
@Component
class CommittedTelemetryHandOff implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CommittedTelemetryHandOff.class);
    /** Batches, each of up to a writer's batch size: room for seconds of load while a lane catches up. */
    static final int CAPACITY = 4_096;

    /** Committed batches ({@link TelemetryCommitted}) and releases, in order. */
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(CAPACITY);

    private record Release(CompletableFuture<Void> done) {}

    private final ApplicationEventPublisher events;
    private final ObjectProvider<DeviceLanes.Owner> evaluators;
    private final Counter dropped;
    private volatile boolean running;
    private Thread publisher;

    CommittedTelemetryHandOff(
            ApplicationEventPublisher events, ObjectProvider<DeviceLanes.Owner> evaluators, MeterRegistry registry) {
        this.events = events;
        this.evaluators = evaluators;
        this.dropped = registry.counter("insa.telemetry.evaluations.dropped");
        registry.gauge("insa.telemetry.evaluations.queued", queue, BlockingQueue::size);
    }

    /** Never waits: called by the writers right after their commit. */
    void committed(List<TelemetryWriter.Readings> stored) {
        if (stored.isEmpty()) {
            return;
        }
        TelemetryCommitted batch = new TelemetryCommitted(stored.stream()
                .map(r -> new TelemetryCommitted.DevicePoints(r.device(), r.points()))
                .toList());
        if (!queue.offer(batch)) {
            int points =
                    batch.messages().stream().mapToInt(m -> m.points().size()).sum();
            dropped.increment(points);
            log.warn("{} committed points not evaluated: the evaluation hand-off is full", points);
        }
    }

    /**
     * Completes once every batch committed before is judged and each evaluator has released its
     * devices' state ({@link DeviceLanes#release()}).
     */
    CompletableFuture<Void> release() {
        Release release = new Release(new CompletableFuture<>());
        try {
            if (!running || !queue.offer(release, DeviceLanes.HAND_OVER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                // no room behind the batches: released now, the batches still queued are judged
                // from state loaded again, as the next node would
                releaseEvaluators(release);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release.done().completeExceptionally(e);
        }
        return release.done();
    }

    private void releaseEvaluators(Release release) {
        CompletableFuture.allOf(evaluators
                        .orderedStream()
                        .map(owner -> owner.lanes().release())
                        .toArray(CompletableFuture[]::new))
                .whenComplete((done, failure) -> {
                    if (failure == null) {
                        release.done().complete(null);
                    } else {
                        release.done().completeExceptionally(failure);
                    }
                });
    }

    @Override
    public synchronized void start() {
        running = true;
        publisher = Thread.ofPlatform().name("telemetry-committed").daemon(true).start(this::run);
    }

    /** Stops after the writers (a lower phase) and before the lanes it feeds, once it has handed on what it holds. */
    @Override
    public synchronized void stop() {
        running = false;
        try {
            publisher.join(Duration.ofSeconds(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return -50;
    }

    private void run() {
        while (running || !queue.isEmpty()) {
            try {
                Object next = queue.poll(100, TimeUnit.MILLISECONDS);
                if (next instanceof Release release) {
                    releaseEvaluators(release);
                } else if (next != null) {
                    events.publishEvent(next);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("committed telemetry not handed on for evaluation", e);
            }
        }
    }
}

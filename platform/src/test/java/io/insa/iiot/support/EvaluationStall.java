package io.insa.iiot.support;

import io.insa.iiot.telemetry.TelemetryCommitted;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * A listener of committed telemetry that a test can stall, ahead of every other listener: it stands
 * for a rule or detector that hangs. Stalled at most {@link #LONGEST} however the test ends.
 */
public final class EvaluationStall {

    public static final Duration LONGEST = Duration.ofSeconds(60);

    private volatile CountDownLatch released = new CountDownLatch(0);
    private final AtomicLong seenPoints = new AtomicLong();

    /** From now on every listener waits until {@link #release()}. */
    public void stall() {
        released = new CountDownLatch(1);
    }

    public void release() {
        released.countDown();
    }

    /** Points of every committed batch this listener was handed, stalled or not. */
    public long seenPoints() {
        return seenPoints.get();
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void onCommitted(TelemetryCommitted committed) throws InterruptedException {
        released.await(LONGEST.toMillis(), TimeUnit.MILLISECONDS);
        committed.messages().forEach(m -> seenPoints.addAndGet(m.points().size()));
    }
}

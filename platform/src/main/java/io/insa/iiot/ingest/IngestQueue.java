package io.insa.iiot.ingest;

import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * Where admitted messages wait for the {@link BatchWriter}: in this process ({@code insa.queue=memory},
 * one node) or in Kafka ({@code insa.queue=kafka}, several nodes). Either way a message's result
 * completes only when it is answered, by default after its commit. It starts and stops with the
 * node: it stops after the transports, and what it took by then is written first.
 */
interface IngestQueue extends SmartLifecycle {

    /** Queues one element, waiting up to {@code timeout} for room; false when it was not queued. */
    boolean offer(PendingMessage element, Duration timeout) throws InterruptedException;

    /** Room left before {@link #offer} would wait. */
    int remainingCapacity();

    /** False once the node is stopping: nothing new is taken. */
    boolean accepting();
}

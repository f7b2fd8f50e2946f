package io.insa.iiot.transport;

import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingest as the transports see it, with outcomes chosen by the test (as Hono's adapter tests do):
 * accept at once, hold the outcome open until the test completes it, fail (retry later) or refuse.
 */
public final class FakeIngest implements Ingest {

    public enum Mode {
        ACCEPT,
        HOLD,
        FAIL,
        REFUSE,
        /** admission itself throws, as a bug would */
        THROW
    }

    public static final IngestResult.Failed FAILED =
            new IngestResult.Failed("the database is away (fake); retry", Duration.ofSeconds(7));

    private volatile Mode mode = Mode.ACCEPT;
    private volatile boolean fromMemory;
    private final BlockingQueue<CompletableFuture<IngestResult>> held = new LinkedBlockingQueue<>();
    private final AtomicInteger calls = new AtomicInteger();

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Whether transports may hand messages over on their event loop ({@link #admitsWithoutWaiting}). */
    public void admitsFromMemory(boolean fromMemory) {
        this.fromMemory = fromMemory;
    }

    @Override
    public boolean admitsWithoutWaiting(io.insa.iiot.shared.TenantId tenant) {
        return fromMemory;
    }

    /** Messages handed over so far. */
    public int calls() {
        return calls.get();
    }

    /** The outcome of the next held message, once it was handed over. */
    public CompletableFuture<IngestResult> nextHeld() throws InterruptedException {
        CompletableFuture<IngestResult> next = held.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no message was handed to ingest within 10 s");
        }
        return next;
    }

    /** Back to accepting with no call counted; outcomes still held are failed so that nothing waits on them. */
    public void reset() {
        mode = Mode.ACCEPT;
        fromMemory = false;
        calls.set(0);
        CompletableFuture<IngestResult> left;
        while ((left = held.poll()) != null) {
            left.complete(FAILED);
        }
    }

    @Override
    public CompletableFuture<IngestResult> telemetry(DeviceIdentity device, byte[] payload) {
        return outcome();
    }

    @Override
    public CompletableFuture<IngestResult> attributes(DeviceIdentity device, byte[] payload) {
        return outcome();
    }

    @Override
    public CompletableFuture<IngestResult> telemetry(List<Part> parts) {
        return outcome();
    }

    @Override
    public CompletableFuture<IngestResult> attributes(List<Part> parts) {
        return outcome();
    }

    /** Requests pass: the fake judges stored messages only. */
    @Override
    public java.util.Optional<IngestResult> admitRequest(DeviceIdentity device) {
        return java.util.Optional.empty();
    }

    @Override
    public int maxPayloadBytes() {
        return 65_536;
    }

    private CompletableFuture<IngestResult> outcome() {
        calls.incrementAndGet();
        return switch (mode) {
            case ACCEPT -> CompletableFuture.completedFuture(new IngestResult.Accepted(1));
            case FAIL -> CompletableFuture.completedFuture(FAILED);
            case REFUSE ->
                CompletableFuture.completedFuture(new IngestResult.Rejected(
                        IngestResult.Reason.RATE_LIMITED, "too fast (fake)", Duration.ofSeconds(3)));
            case THROW -> throw new IllegalStateException("admission failed (fake)");
            case HOLD -> {
                CompletableFuture<IngestResult> open = new CompletableFuture<>();
                held.add(open);
                yield open;
            }
        };
    }
}

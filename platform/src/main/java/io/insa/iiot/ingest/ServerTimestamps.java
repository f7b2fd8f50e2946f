package io.insa.iiot.ingest;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The times this node gives readings that carry none: strictly increasing per device, a microsecond
 * after the device's previous one where the clock would repeat itself. A row is keyed by device, key and
 * time at the database's microseconds, so two readings stamped alike would become one (a burst read in
 * one go, a coarse clock).
 */
final class ServerTimestamps {

    /** A device's last stamp this far behind the clock can no longer be reached again: it is forgotten. */
    private static final long FORGET_AFTER_MICROS = 10_000_000;

    private static final int SWEEP_EVERY = 1 << 16;

    private final ConcurrentHashMap<UUID, Long> lastByDevice = new ConcurrentHashMap<>();
    private final AtomicLong stamped = new AtomicLong();

    /** The device's next stamp at {@code now}: {@code now} in microseconds, or one after its last stamp. */
    Instant next(UUID device, Instant now) {
        long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        long stamp = lastByDevice.merge(device, nowMicros, (last, current) -> Math.max(last + 1, current));
        if (stamped.incrementAndGet() % SWEEP_EVERY == 0) {
            lastByDevice.values().removeIf(last -> last < nowMicros - FORGET_AFTER_MICROS);
        }
        return Instant.EPOCH.plus(stamp, ChronoUnit.MICROS);
    }

    /** Devices remembered now; for the test of forgetting. */
    int remembered() {
        return lastByDevice.size();
    }
}
